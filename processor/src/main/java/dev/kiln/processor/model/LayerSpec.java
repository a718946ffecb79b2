package dev.kiln.processor.model;

import java.util.List;

/**
 * One declared layer: a node of the network graph. Each layer kind is one record implementing
 * this interface, read from its annotation, planned by {@code Planner} and emitted by its own
 * {@code LayerEmitter}.
 */
public sealed interface LayerSpec
    permits DenseSpec, ActivationLayerSpec, DropoutSpec, GaussianNoiseSpec, NormalizationSpec {
  /** The declaring method's name; also the layer's name in summaries and weight files. */
  String name();

  /** The declaring method and its layer annotation. */
  Site site();

  /**
   * Names of the layers this layer reads from; empty means the previous layer (or the network
   * input for the first layer).
   */
  List<String> inputs();

  /** The layer kind as the summary shows it. */
  String typeName();
}
