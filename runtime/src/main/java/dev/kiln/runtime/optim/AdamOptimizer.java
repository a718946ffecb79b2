package dev.kiln.runtime.optim;

import dev.kiln.runtime.kernels.Elementwise;
import java.util.Arrays;

/**
 * Adam and AdamW in PyTorch's form: m = beta1 * m + (1 - beta1) * g; v = beta2 * v + (1 - beta2) *
 * g^2; w -= lr * m^ / (sqrt(v^) + epsilon) with m^ = m / (1 - beta1^t), v^ = v / (1 - beta2^t).
 * AdamW first decays the weights, w -= lr * weightDecay * w (decoupled weight decay); Adam is the
 * same update with no decay (a factor of exactly 1, so its results are bit-identical). The bias
 * corrections are computed once per step in double, outside the loop.
 */
final class AdamOptimizer extends AbstractOptimizer {
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final float weightDecay;
  private final boolean decoupledDecay;
  private final float[] firstMoment;
  private final float[] secondMoment;
  /** {@link #provablyFinite}'s four maxima, reused. */
  private final float[] maxima = new float[4];
  /** A checked step's copy of the range before it (allocated on first use), to undo a non-finite step. */
  private float[] savedParams;
  private float[] savedM;
  private float[] savedV;
  /** The parameter array of the ranges applied in place this step, and those ranges as from/to pairs. */
  private float[] appliedParams;
  private int[] applied = new int[16];
  private int appliedCount;

  /** Adam. */
  AdamOptimizer(int size, float learningRate, float beta1, float beta2, float epsilon) {
    this("Adam", size, learningRate, beta1, beta2, epsilon, 0f, false);
  }

  /** AdamW. */
  AdamOptimizer(int size, float learningRate, float beta1, float beta2, float epsilon, float weightDecay) {
    this("AdamW", size, learningRate, beta1, beta2, epsilon, weightDecay, true);
  }

  private AdamOptimizer(String name, int size, float learningRate, float beta1, float beta2, float epsilon,
      float weightDecay, boolean decoupledDecay) {
    super(name, size, learningRate);
    Hyperparameters.checkFraction(name, "beta1", beta1);
    Hyperparameters.checkFraction(name, "beta2", beta2);
    Hyperparameters.checkPositive(name, "epsilon", epsilon);
    Hyperparameters.checkNonNegative(name, "weightDecay", weightDecay);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
    this.decoupledDecay = decoupledDecay;
    this.firstMoment = new float[size];
    this.secondMoment = new float[size];
  }

  @Override
  void update(float[] params, float[] grads, int from, int to) {
    for (int r = 0; r < appliedCount; r += 2) {
      if (applied[r] == from && applied[r + 1] == to) {
        return; // nonFinite already applied this range in place
      }
    }
    double biasCorrection1 = 1.0 - Math.pow(beta1, iterations);
    double biasCorrection2 = 1.0 - Math.pow(beta2, iterations);
    float decay = (float) (1.0 - (double) learningRate * weightDecay);
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
      params[i] = params[i] * decay - stepSize * mi / ((float) Math.sqrt(vi) * rsqrtBc2 + eps);
    }
  }

  @Override
  int nonFinite(float[] params, float[] grads, int from, int to) {
    if (provablyFinite(params, grads, from, to)) {
      return 0; // update() applies the range in place, with nothing to save
    }
    // Bounds could not prove it: applies the step in place with update()'s own loop (which C2 vectorizes; a loop writing the
    // would-be values elsewhere was not, and cost a W1 step more than its products), after saving
    // the range: a refused step is undone from the copy (undoStaged), an accepted one stays and
    // the following update() of this range does nothing.
    float[] m = firstMoment;
    float[] v = secondMoment;
    if (savedParams == null) {
      savedParams = new float[m.length];
      savedM = new float[m.length];
      savedV = new float[m.length];
    }
    int length = to - from;
    System.arraycopy(params, from, savedParams, from, length);
    System.arraycopy(m, from, savedM, from, length);
    System.arraycopy(v, from, savedV, from, length);
    update(params, grads, from, to);
    if (appliedCount == applied.length) {
      applied = java.util.Arrays.copyOf(applied, 2 * applied.length); // grows once, to the range count
    }
    applied[appliedCount++] = from;
    applied[appliedCount++] = to;
    appliedParams = params;
    // m cannot turn non-finite alone: an infinite or NaN m makes the parameter infinite or NaN
    // (or NaN over an infinite v), so scanning the parameters and v covers the whole state.
    return allFinite(params, from, to) && allFinite(v, from, to) ? 0 : -1;
  }

  private static boolean allFinite(float[] values, int from, int to) {
    return Elementwise.ACTIVE.maxAbs(to - from, values, from) <= Float.MAX_VALUE;
  }

  /**
   * Whether bounds from the largest magnitudes in the range prove every new parameter and moment
   * finite: |m'| <= beta1 |m| + (1 - beta1) |g|, v' <= beta2 v + (1 - beta2) g^2, and, as the
   * denominator is at least epsilon, |w'| <= |decay| |w| + stepSize |m'| / epsilon. One reading
   * pass over the four arrays ({@link Elementwise#maxAbs4}) instead of copying the range and
   * scanning the result: W1's step spent twice its update's time on those. Bounds under 1e38
   * leave a margin far above the few roundings of the float arithmetic; NaN anywhere fails every
   * comparison and takes the exact path.
   */
  private boolean provablyFinite(float[] params, float[] grads, int from, int to) {
    int n = to - from;
    Elementwise kernels = Elementwise.ACTIVE;
    kernels.maxAbs4(n, from, grads, params, firstMoment, secondMoment, maxima);
    double g = maxima[0];
    double w = maxima[1];
    double m = maxima[2];
    double v = maxima[3];
    double mBound = beta1 * m + (1.0 - beta1) * g;
    double vBound = beta2 * v + (1.0 - beta2) * g * g;
    double decay = 1.0 - (double) learningRate * weightDecay;
    double stepSize = learningRate / (1.0 - Math.pow(beta1, iterations));
    double wBound = Math.abs(decay) * w + stepSize * mBound / epsilon;
    double limit = 1e38;
    return mBound < limit && vBound < limit && wBound < limit;
  }

  @Override
  void discardStaged() {
    appliedCount = 0;
  }

  @Override
  void undoStaged() {
    for (int r = 0; r < appliedCount; r += 2) {
      int from = applied[r];
      int length = applied[r + 1] - from;
      System.arraycopy(savedParams, from, appliedParams, from, length);
      System.arraycopy(savedM, from, firstMoment, from, length);
      System.arraycopy(savedV, from, secondMoment, from, length);
    }
    appliedCount = 0;
  }

  @Override
  java.util.LinkedHashMap<String, float[]> stateArrays() {
    java.util.LinkedHashMap<String, float[]> state = new java.util.LinkedHashMap<>();
    state.put("m", firstMoment);
    state.put("v", secondMoment);
    return state;
  }

  @Override
  void clearState() {
    Arrays.fill(firstMoment, 0f);
    Arrays.fill(secondMoment, 0f);
  }

  @Override
  String describeHyperparameters() {
    return hyperparameter("beta1", beta1) + hyperparameter("beta2", beta2) + hyperparameter("epsilon", epsilon)
        + (decoupledDecay ? hyperparameter("weightDecay", weightDecay) : "");
  }
}
