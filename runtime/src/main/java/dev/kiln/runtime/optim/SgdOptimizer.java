package dev.kiln.runtime.optim;

/** Plain gradient descent: w -= lr * g. Stateless. */
final class SgdOptimizer extends AbstractOptimizer {
  SgdOptimizer(int size, float learningRate) {
    super("SGD", size, learningRate);
  }

  @Override
  void update(float[] params, float[] grads, int from, int to) {
    float lr = learningRate;
    for (int i = from; i < to; i++) {
      params[i] -= lr * grads[i];
    }
  }

  @Override
  int nonFinite(float[] params, float[] grads, int from, int to) {
    float lr = learningRate;
    int flags = 0;
    for (int i = from; i < to; i++) {
      flags |= finiteFlag(params[i] - lr * grads[i]);
    }
    return flags;
  }

  @Override
  java.util.LinkedHashMap<String, float[]> stateArrays() {
    java.util.LinkedHashMap<String, float[]> state = new java.util.LinkedHashMap<>();
    return state;
  }

  @Override
  void clearState() {}

  @Override
  String describeHyperparameters() {
    return "";
  }
}
