package dev.kiln.runtime;

/**
 * A handle on one declared layer of a generated model: the return type of the layer methods of a
 * {@code @Network} type. Reads and writes that layer's parameters in place.
 *
 * <p><b>Layout.</b> Everything the public API returns or takes holds a dense kernel as
 * [inputs][units] (Keras's {@code get_weights()} layout): {@link #kernel()}, {@link
 * #setKernel}, {@link #kernelGradient()}, and the flat {@link ModelCore#parameters()} and {@link
 * ModelCore#gradients()}, where each kernel is row-major [inputs][units]. Only safetensors files
 * ({@link ModelCore#save}, {@link ModelCore#load(java.nio.file.Path)}) use PyTorch's [units,
 * inputs], because that is the format's own layout; save and load transpose.
 */
public interface Layer {
  /** The declaring method's name. */
  String name();

  /** The layer kind: {@code Dense}, {@code Activation}. */
  String type();

  /** Shape of one sample's output. */
  Shape outputShape();

  /** Number of parameters. */
  int parameterCount();

  /** Whether training updates this layer's parameters (false for frozen layers and layers without any). */
  boolean trainable();

  /**
   * Freezes ({@code false}) or unfreezes the layer: frozen parameters keep their values, as in
   * transfer learning; the summary counts them as non-trainable.
   */
  void setTrainable(boolean trainable);

  /**
   * Sets this layer's learning-rate multiplier (1 by default): its parameters update at {@code
   * multiplier} times the optimizer's rate, as in fine-tuning a pretrained base at a tenth of the
   * head's rate. Applies to every optimizer (for momentum, the rate inside the velocity).
   *
   * @throws IllegalArgumentException if {@code multiplier} is negative, NaN or infinite
   */
  void setLearningRateMultiplier(float multiplier);

  /** This layer's learning-rate multiplier (1 unless set). */
  float learningRateMultiplier();

  /**
   * A copy of a dense layer's kernel as [inputs][units] (Keras's {@code get_weights()} layout); a
   * Conv2D kernel as [kh * kw * channels][filters], Keras's [kh, kw, channels, filters] flattened.
   *
   * @throws IllegalStateException if the layer has no kernel
   */
  float[][] kernel();

  /**
   * A copy of the layer's bias.
   *
   * @throws IllegalStateException if the layer has no bias
   */
  float[] bias();

  /**
   * A copy of the gradient of the loss with respect to the kernel from the last backward pass
   * ({@link ModelCore#computeGradients}, a training step), as [inputs][units] like {@link
   * #kernel()}; zeros before any backward pass.
   *
   * @throws IllegalStateException if the layer has no kernel
   */
  float[][] kernelGradient();

  /**
   * A copy of the gradient with respect to the bias from the last backward pass, like {@link
   * #kernelGradient()}.
   *
   * @throws IllegalStateException if the layer has no bias
   */
  float[] biasGradient();

  /** Replaces the kernel, given as [inputs][units]; the shape must match exactly. */
  void setKernel(float[][] kernel);

  /** Replaces the bias; the length must match exactly. */
  void setBias(float[] bias);
}
