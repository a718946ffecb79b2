package dev.kiln.processor.model;

import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.emit.LayerEmitter;
import java.util.List;

/**
 * One declared layer, a node of the network graph. Each layer kind is one record implementing this
 * interface that owns the kind's rules: its annotation values' checks, its output shape from its
 * input shapes, and its parameter tensors. {@code dev.kiln.processor.layers.LayerKinds} lists the
 * kinds; nothing else in the processor tells kinds apart.
 */
public interface LayerSpec {
  /** The declaring method's name; also the layer's name in summaries and weight files. */
  String name();

  /** The declaring method and its layer annotation. */
  Site site();

  /** Names of the layers this layer reads; empty means the previous layer (or the network input). */
  List<String> inputs();

  /** The layer kind as Keras's summary shows it ({@code Dense}, {@code BatchNormalization}). */
  String typeName();

  /** The activation the layer applies last; linear for kinds without one. */
  default ActivationSpec activation() {
    return ActivationSpec.LINEAR;
  }

  /**
   * True when the layer's activation applies to its input as it is, so its logits are its input's
   * output ({@code @Activation}); false when the layer computes its logits itself ({@code @Dense}).
   */
  default boolean activatesInput() {
    return false;
  }

  /** True for an input of the network: a node that reads nothing and computes nothing. */
  default boolean isInput() {
    return false;
  }

  /** How many inputs the kind takes, at least: Add and Concatenate take two or more. */
  default int minInputs() {
    return 1;
  }

  /** How many inputs the kind takes, at most. */
  default int maxInputs() {
    return 1;
  }

  /** Reports every rule the annotation's values break, each on the value to change. */
  default void check(Diagnostics diagnostics) {}

  /**
   * The output shape for these input shapes, or null after reporting (on this layer) why the
   * inputs do not fit.
   */
  Shape outputShape(List<Shape> inputs, Diagnostics diagnostics);

  /** The parameter tensors for these input shapes, in save order. */
  default List<Parameter> parameters(List<Shape> inputs) {
    return List.of();
  }

  /**
   * Whether this layer's output typically holds many exact zeros, given which of its inputs do (in
   * input order): a ReLU's does, and a layer that only moves, drops or selects values keeps its
   * input's. A Dense layer reading such an output skips the weight rows of its zero inputs at
   * batch 1 ({@code CompiledNetwork.denseProductSkippingZeroInputs}); over other inputs listing the
   * non-zero ones costs more than it saves.
   */
  default boolean outputHasZeros(List<Boolean> inputsHaveZeros) {
    return activation().function() == dev.kiln.annotations.ActivationFunction.RELU;
  }

  /** How the layer treats its inputs' leading (time) axis when the network runs one step at a time. */
  default StepRule stepRule() {
    return StepRule.MIXES_POSITIONS;
  }

  /** The code generator of this kind. */
  LayerEmitter emitter();
}
