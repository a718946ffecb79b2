package dev.kiln.annotations;

/**
 * Training losses. Every loss is the mean over the batch (and, for the element-wise losses, over
 * the outputs), as in Keras and PyTorch's {@code reduction='mean'}.
 */
public enum Loss {
  /** mean((p - y)^2). */
  MEAN_SQUARED_ERROR,
  /** mean(|p - y|). */
  MEAN_ABSOLUTE_ERROR,
  /**
   * mean(-(y log p + (1 - y) log(1 - p))). With a sigmoid output it is computed from the logits
   * (stable for any logit) and its gradient is fused to (p - y).
   */
  BINARY_CROSSENTROPY,
  /**
   * mean over the batch of -sum(y log p) for one-hot (or soft) targets. With a softmax output it is
   * computed from the logits and its gradient is fused to (p - y).
   */
  CATEGORICAL_CROSSENTROPY,
  /** Categorical cross-entropy with the target given as a class index (one number per sample). */
  SPARSE_CATEGORICAL_CROSSENTROPY
}
