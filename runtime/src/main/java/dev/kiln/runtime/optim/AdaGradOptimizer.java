package dev.kiln.runtime.optim;

import java.util.Arrays;

/** AdaGrad: r += g^2; w -= lr * g / (sqrt(r) + epsilon). */
final class AdaGradOptimizer extends AbstractOptimizer {
  private final float epsilon;
  private final float[] sumOfSquares;

  AdaGradOptimizer(int size, float learningRate, float epsilon) {
    super("AdaGrad", size, learningRate);
    Hyperparameters.checkPositive("AdaGrad", "epsilon", epsilon);
    this.epsilon = epsilon;
    this.sumOfSquares = new float[size];
  }

  @Override
  void update(float[] params, float[] grads, int from, int to) {
    float lr = learningRate;
    float eps = epsilon;
    float[] r = sumOfSquares;
    for (int i = from; i < to; i++) {
      float g = grads[i];
      float ri = r[i] + g * g;
      r[i] = ri;
      params[i] -= lr * g / ((float) Math.sqrt(ri) + eps);
    }
  }

  @Override
  int nonFinite(float[] params, float[] grads, int from, int to) {
    float lr = learningRate;
    float eps = epsilon;
    float[] r = sumOfSquares;
    int flags = 0;
    for (int i = from; i < to; i++) {
      float g = grads[i];
      float ri = r[i] + g * g;
      flags |= finiteFlag(ri) | finiteFlag(params[i] - lr * g / ((float) Math.sqrt(ri) + eps));
    }
    return flags;
  }

  @Override
  java.util.LinkedHashMap<String, float[]> stateArrays() {
    java.util.LinkedHashMap<String, float[]> state = new java.util.LinkedHashMap<>();
    state.put("sum_of_squares", sumOfSquares);
    return state;
  }

  @Override
  void clearState() {
    Arrays.fill(sumOfSquares, 0f);
  }

  @Override
  String describeHyperparameters() {
    return hyperparameter("epsilon", epsilon);
  }
}
