package dev.kiln.runtime.optim;

import java.util.Arrays;

/**
 * Nesterov momentum in PyTorch's form (SGD with {@code nesterov=True}, no dampening): v = momentum
 * * v + g; w -= lr * (g + momentum * v).
 */
final class NesterovOptimizer extends AbstractOptimizer {
  private final float momentum;
  private final float[] velocity;

  NesterovOptimizer(int size, float learningRate, float momentum) {
    super("Nesterov", size, learningRate);
    Hyperparameters.checkFraction("Nesterov", "momentum", momentum);
    this.momentum = momentum;
    this.velocity = new float[size];
  }

  @Override
  void update(float[] params, float[] grads, int from, int to) {
    float lr = learningRate;
    float mu = momentum;
    float[] v = velocity;
    for (int i = from; i < to; i++) {
      float g = grads[i];
      float vi = mu * v[i] + g;
      v[i] = vi;
      params[i] -= lr * (g + mu * vi);
    }
  }

  @Override
  int nonFinite(float[] params, float[] grads, int from, int to) {
    float lr = learningRate;
    float mu = momentum;
    float[] v = velocity;
    int flags = 0;
    for (int i = from; i < to; i++) {
      float g = grads[i];
      float vi = mu * v[i] + g;
      flags |= finiteFlag(vi) | finiteFlag(params[i] - lr * (g + mu * vi));
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
