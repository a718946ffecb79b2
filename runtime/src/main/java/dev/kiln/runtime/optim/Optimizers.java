package dev.kiln.runtime.optim;

/**
 * Creates {@link Optimizer}s for {@code size} flat parameters. Each factory validates its
 * hyperparameters and throws {@link IllegalArgumentException} naming the bad value: learning rate
 * finite and {@code >= 0}; momentum, rho, beta1, beta2 in {@code [0, 1)}; epsilon finite and
 * {@code > 0}; weight decay finite and {@code >= 0}; size {@code >= 0}.
 */
public final class Optimizers {
  private Optimizers() {}

  /** Gradient descent: w -= lr * g. */
  public static Optimizer sgd(int size, float learningRate) {
    return new SgdOptimizer(size, learningRate);
  }

  /** Momentum in the seed's form: v = momentum * v + lr * g; w -= v. */
  public static Optimizer momentum(int size, float learningRate, float momentum) {
    return new MomentumOptimizer(size, learningRate, momentum);
  }

  /** Nesterov momentum in PyTorch's form: v = momentum * v + g; w -= lr * (g + momentum * v). */
  public static Optimizer nesterov(int size, float learningRate, float momentum) {
    return new NesterovOptimizer(size, learningRate, momentum);
  }

  /** AdaGrad: r += g^2; w -= lr * g / (sqrt(r) + epsilon). */
  public static Optimizer adaGrad(int size, float learningRate, float epsilon) {
    return new AdaGradOptimizer(size, learningRate, epsilon);
  }

  /** RMSProp: r = rho * r + (1 - rho) * g^2; w -= lr * g / (sqrt(r) + epsilon). */
  public static Optimizer rmsProp(int size, float learningRate, float rho, float epsilon) {
    return new RmsPropOptimizer(size, learningRate, rho, epsilon);
  }

  /**
   * Adam in PyTorch's form: moment EMAs with bias correction, w -= lr * m^ / (sqrt(v^) +
   * epsilon).
   */
  public static Optimizer adam(int size, float learningRate, float beta1, float beta2,
      float epsilon) {
    return new AdamOptimizer(size, learningRate, beta1, beta2, epsilon);
  }

  /** AdamW in PyTorch's form: w -= lr * weightDecay * w, then the Adam update. */
  public static Optimizer adamW(int size, float learningRate, float beta1, float beta2,
      float epsilon, float weightDecay) {
    return new AdamOptimizer(size, learningRate, beta1, beta2, epsilon, weightDecay);
  }
}
