package dev.kiln.processor.model;

import java.util.List;

/** {@code @GaussianNoise}: additive noise in training, identity at inference. */
public record GaussianNoiseSpec(String name, Site site, List<String> inputs, double stddev) implements LayerSpec {
  public GaussianNoiseSpec {
    inputs = List.copyOf(inputs);
  }

  @Override
  public String typeName() {
    return "GaussianNoise";
  }
}
