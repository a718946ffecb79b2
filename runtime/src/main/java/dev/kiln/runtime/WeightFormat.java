package dev.kiln.runtime;

/**
 * How an {@link Inference} snapshot stores its weights ({@link ModelCore#inference(WeightFormat)}).
 * Activations and every sum are float32 in either format.
 */
public enum WeightFormat {
  /** The model's weights as they are: predictions equal the model's own, bit for bit. */
  FLOAT32,
  /**
   * Dense layers' weight matrices rounded to bfloat16 (8 exponent bits like float32, 8 significant
   * bits; round to nearest even), which batch-1 predictions read at half the bytes: a serving
   * call's time is mostly streaming the weights through the cache. Biases and other layers' weights
   * stay float32. Batched predictions use the same rounded values widened to float32, so a sample
   * gets the same output alone or in a batch. Predictions change in the third significant digit or
   * so; measure the accuracy that matters before serving it (the Fashion-MNIST figures are in
   * docs/architecture.md).
   */
  BFLOAT16
}
