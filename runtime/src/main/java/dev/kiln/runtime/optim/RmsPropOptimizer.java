package dev.kiln.runtime.optim;

import java.util.Arrays;

/** RMSProp: r = rho * r + (1 - rho) * g^2; w -= lr * g / (sqrt(r) + epsilon). */
final class RmsPropOptimizer extends AbstractOptimizer {
  private final float rho;
  private final float epsilon;
  private final float[] meanSquare;

  RmsPropOptimizer(int size, float learningRate, float rho, float epsilon) {
    super("RMSProp", size, learningRate);
    Hyperparameters.checkFraction("RMSProp", "rho", rho);
    Hyperparameters.checkPositive("RMSProp", "epsilon", epsilon);
    this.rho = rho;
    this.epsilon = epsilon;
    this.meanSquare = new float[size];
  }

  @Override
  void update(float[] params, float[] grads, int from, int to) {
    float lr = learningRate;
    float decay = rho;
    float oneMinusDecay = (float) (1.0 - rho);
    float eps = epsilon;
    float[] r = meanSquare;
    for (int i = from; i < to; i++) {
      float g = grads[i];
      float ri = decay * r[i] + oneMinusDecay * g * g;
      r[i] = ri;
      params[i] -= lr * g / ((float) Math.sqrt(ri) + eps);
    }
  }

  @Override
  int nonFinite(float[] params, float[] grads, int from, int to) {
    float lr = learningRate;
    float decay = rho;
    float oneMinusDecay = (float) (1.0 - rho);
    float eps = epsilon;
    float[] r = meanSquare;
    int flags = 0;
    for (int i = from; i < to; i++) {
      float g = grads[i];
      float ri = decay * r[i] + oneMinusDecay * g * g;
      flags |= finiteFlag(ri) | finiteFlag(params[i] - lr * g / ((float) Math.sqrt(ri) + eps));
    }
    return flags;
  }

  @Override
  java.util.LinkedHashMap<String, float[]> stateArrays() {
    java.util.LinkedHashMap<String, float[]> state = new java.util.LinkedHashMap<>();
    state.put("mean_square", meanSquare);
    return state;
  }

  @Override
  void clearState() {
    Arrays.fill(meanSquare, 0f);
  }

  @Override
  String describeHyperparameters() {
    return hyperparameter("rho", rho) + hyperparameter("epsilon", epsilon);
  }
}
