package dev.kiln.processor.model;

import java.util.List;

/**
 * The default optimizer: the annotation's simple name ({@code Adam}) and its hyperparameters in
 * the order the runtime factory takes them.
 *
 * @param site the optimizer annotation; its annotation is null when the type declares none
 */
public record OptimizerSpec(String kind, Site site, List<Hyperparameter> hyperparameters) {
  public OptimizerSpec {
    hyperparameters = List.copyOf(hyperparameters);
  }

  /** One named value. */
  public record Hyperparameter(String name, double value) {}
}
