package dev.kiln.runtime.optim;

import java.util.Arrays;

/**
 * Adam in PyTorch's form: m = beta1 * m + (1 - beta1) * g; v = beta2 * v + (1 - beta2) * g^2; w -=
 * lr * m^ / (sqrt(v^) + epsilon) with m^ = m / (1 - beta1^t), v^ = v / (1 - beta2^t). The bias
 * corrections are computed once per step in double, outside the loop.
 */
final class AdamOptimizer extends AbstractOptimizer {
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final float[] firstMoment;
  private final float[] secondMoment;

  AdamOptimizer(int size, float learningRate, float beta1, float beta2, float epsilon) {
    super("Adam", size, learningRate);
    Hyperparameters.checkFraction("Adam", "beta1", beta1);
    Hyperparameters.checkFraction("Adam", "beta2", beta2);
    Hyperparameters.checkPositive("Adam", "epsilon", epsilon);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.firstMoment = new float[size];
    this.secondMoment = new float[size];
  }

  @Override
  void update(float[] params, float[] grads, int from, int to) {
    double biasCorrection1 = 1.0 - Math.pow(beta1, iterations);
    double biasCorrection2 = 1.0 - Math.pow(beta2, iterations);
    // lr * (m / bc1) / (sqrt(v / bc2) + eps) == stepSize * m / (sqrt(v) * rsqrtBc2 + eps)
    float stepSize = (float) (learningRate / biasCorrection1);
    float rsqrtBc2 = (float) (1.0 / Math.sqrt(biasCorrection2));
    float b1 = beta1;
    float b2 = beta2;
    float oneMinusB1 = (float) (1.0 - beta1);
    float oneMinusB2 = (float) (1.0 - beta2);
    float eps = epsilon;
    float[] m = firstMoment;
    float[] v = secondMoment;
    for (int i = from; i < to; i++) {
      float g = grads[i];
      float mi = b1 * m[i] + oneMinusB1 * g;
      float vi = b2 * v[i] + oneMinusB2 * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] -= stepSize * mi / ((float) Math.sqrt(vi) * rsqrtBc2 + eps);
    }
  }

  @Override
  void clearState() {
    Arrays.fill(firstMoment, 0f);
    Arrays.fill(secondMoment, 0f);
  }

  @Override
  String describeHyperparameters() {
    return hyperparameter("beta1", beta1) + hyperparameter("beta2", beta2)
        + hyperparameter("epsilon", epsilon);
  }
}
