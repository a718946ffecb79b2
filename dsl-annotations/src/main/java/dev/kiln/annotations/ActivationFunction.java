package dev.kiln.annotations;

/** Element-wise (and, for softmax, row-wise) activation functions. */
public enum ActivationFunction {
  /** Identity. */
  LINEAR,
  /** 1 / (1 + e^-x). */
  SIGMOID,
  /** Hyperbolic tangent. */
  TANH,
  /** max(0, x). */
  RELU,
  /** x for x > 0, alpha * x otherwise; alpha defaults to 0.2 (Keras's {@code 'leaky_relu'}). */
  LEAKY_RELU,
  /** x for x > 0, alpha * (e^x - 1) otherwise; alpha defaults to 1.0. */
  ELU,
  /** Self-normalizing ELU with the fixed constants of Klambauer et al. (2017). */
  SELU,
  /** x * sigmoid(x), also called SiLU. */
  SWISH,
  /** x * Phi(x) with the exact Gaussian CDF. */
  GELU,
  /** GELU with the tanh approximation (PyTorch's {@code approximate='tanh'}). */
  GELU_TANH,
  /**
   * e^(x_i / T) / sum_j e^(x_j / T) over the features of a sample, temperature T defaults to 1.
   * Only legal on the output layer.
   */
  SOFTMAX
}
