package dev.kiln.runtime.optim;

import java.util.Arrays;

/**
 * Momentum in the seed's form, with the learning rate inside the velocity: v = momentum * v + lr
 * * g; w -= v.
 */
final class MomentumOptimizer extends AbstractOptimizer {
  private final float momentum;
  private final float[] velocity;

  MomentumOptimizer(int size, float learningRate, float momentum) {
    super("Momentum", size, learningRate);
    Hyperparameters.checkFraction("Momentum", "momentum", momentum);
    this.momentum = momentum;
    this.velocity = new float[size];
  }

  @Override
  void update(float[] params, float[] grads, int from, int to) {
    float lr = learningRate;
    float mu = momentum;
    float[] v = velocity;
    for (int i = from; i < to; i++) {
      float vi = mu * v[i] + lr * grads[i];
      v[i] = vi;
      params[i] -= vi;
    }
  }

  @Override
  int nonFinite(float[] params, float[] grads, int from, int to) {
    float lr = learningRate;
    float mu = momentum;
    float[] v = velocity;
    int flags = 0;
    for (int i = from; i < to; i++) {
      float vi = mu * v[i] + lr * grads[i];
      flags |= finiteFlag(vi) | finiteFlag(params[i] - vi);
    }
    return flags;
  }

  @Override
  java.util.LinkedHashMap<String, float[]> stateArrays() {
    java.util.LinkedHashMap<String, float[]> state = new java.util.LinkedHashMap<>();
    state.put("velocity", velocity);
    return state;
  }

  @Override
  void clearState() {
    Arrays.fill(velocity, 0f);
  }

  @Override
  String describeHyperparameters() {
    return hyperparameter("momentum", momentum);
  }
}
