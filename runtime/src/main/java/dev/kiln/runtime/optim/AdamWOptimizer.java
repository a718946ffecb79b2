package dev.kiln.runtime.optim;

import java.util.Arrays;

/**
 * AdamW in PyTorch's form: decoupled weight decay w -= lr * weightDecay * w first, then the {@link
 * AdamOptimizer Adam} update.
 */
final class AdamWOptimizer extends AbstractOptimizer {
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final float weightDecay;
  private final float[] firstMoment;
  private final float[] secondMoment;

  AdamWOptimizer(int size, float learningRate, float beta1, float beta2, float epsilon,
      float weightDecay) {
    super("AdamW", size, learningRate);
    Hyperparameters.checkFraction("AdamW", "beta1", beta1);
    Hyperparameters.checkFraction("AdamW", "beta2", beta2);
    Hyperparameters.checkPositive("AdamW", "epsilon", epsilon);
    Hyperparameters.checkNonNegative("AdamW", "weightDecay", weightDecay);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
    this.firstMoment = new float[size];
    this.secondMoment = new float[size];
  }

  @Override
  void update(float[] params, float[] grads, int from, int to) {
    double biasCorrection1 = 1.0 - Math.pow(beta1, iterations);
    double biasCorrection2 = 1.0 - Math.pow(beta2, iterations);
    float decay = (float) (1.0 - (double) learningRate * weightDecay);
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
      params[i] = params[i] * decay - stepSize * mi / ((float) Math.sqrt(vi) * rsqrtBc2 + eps);
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
        + hyperparameter("epsilon", epsilon) + hyperparameter("weightDecay", weightDecay);
  }
}
