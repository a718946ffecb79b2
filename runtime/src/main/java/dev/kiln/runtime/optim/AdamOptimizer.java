package dev.kiln.runtime.optim;

import dev.kiln.runtime.kernels.Elementwise;
import dev.kiln.runtime.kernels.OptimizerSteps;
import java.util.Arrays;

/**
 * Adam and AdamW in PyTorch's form: m = beta1 * m + (1 - beta1) * g; v = beta2 * v + (1 - beta2) *
 * g^2; w -= lr * m^ / (sqrt(v^) + epsilon) with m^ = m / (1 - beta1^t), v^ = v / (1 - beta2^t).
 * AdamW first decays the weights, w -= lr * weightDecay * w (decoupled weight decay); Adam is the
 * same update with no decay (a factor of exactly 1, so its results are bit-identical). The bias
 * corrections are computed once per step in double, outside the loop ({@link
 * OptimizerSteps#adam}, which also saves and checks the values of a finite-checked step in the
 * same pass).
 */
final class AdamOptimizer extends AbstractOptimizer {
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final float weightDecay;
  private final boolean decoupledDecay;
  private final float[] firstMoment;
  private final float[] secondMoment;
  /**
   * A checked step's copies of the parameters, m and v before it (allocated on first use), to undo
   * a non-finite step.
   */
  private float[][] saved;
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
    apply(params, grads, from, to, null);
  }

  /** One step over the range in place; with {@code saved}, the old values go there first. */
  private boolean apply(float[] params, float[] grads, int from, int to, float[][] saved) {
    return OptimizerSteps.ACTIVE.adam(params, grads, firstMoment, secondMoment, from, to, beta1,
        (float) (1.0 - beta1), beta2, (float) (1.0 - beta2), stepSize(), rsqrtBiasCorrection2(),
        epsilon, decay(), saved);
  }

  // lr * (m / bc1) / (sqrt(v / bc2) + eps) == stepSize * m / (sqrt(v) * rsqrtBc2 + eps)
  private float stepSize() {
    return (float) (learningRate / (1.0 - Math.pow(beta1, iterations)));
  }

  private float rsqrtBiasCorrection2() {
    return (float) (1.0 / Math.sqrt(1.0 - Math.pow(beta2, iterations)));
  }

  private float decay() {
    return (float) (1.0 - (double) learningRate * weightDecay);
  }

  @Override
  int nonFinite(float[] params, float[] grads, int from, int to) {
    if (provablyFinite(params, grads, from, to)) {
      return 0; // update() applies the range in place, with nothing to save
    }
    // Applies the step in place in one pass that also saves the old values and checks the new
    // ones: a refused step is undone from the copies (undoStaged), an accepted one stays and the
    // following update() of this range does nothing.
    if (saved == null) {
      saved = new float[][] {new float[size], new float[size], new float[size]};
    }
    boolean finite = apply(params, grads, from, to, saved);
    if (appliedCount == applied.length) {
      applied = java.util.Arrays.copyOf(applied, 2 * applied.length); // grows once, to the range count
    }
    applied[appliedCount++] = from;
    applied[appliedCount++] = to;
    appliedParams = params;
    return finite ? 0 : -1;
  }

  /**
   * Whether bounds from the largest magnitudes in the range prove every new parameter and moment
   * finite: |m'| <= beta1 |m| + (1 - beta1) |g|, v' <= beta2 v + (1 - beta2) g^2, and, as the
   * denominator is at least epsilon, |w'| <= |decay| |w| + stepSize |m'| / epsilon. Four reading
   * passes (a tenth of a W1 step's Adam time) instead of saving every value before writing it.
   * Bounds under 1e38 leave a margin far above the few roundings of the float arithmetic; NaN
   * anywhere fails every comparison and takes the exact path.
   */
  private boolean provablyFinite(float[] params, float[] grads, int from, int to) {
    int n = to - from;
    Elementwise kernels = Elementwise.ACTIVE;
    double g = kernels.maxAbs(n, grads, from);
    double w = kernels.maxAbs(n, params, from);
    double m = kernels.maxAbs(n, firstMoment, from);
    double v = kernels.maxAbs(n, secondMoment, from);
    double mBound = beta1 * m + (1.0 - beta1) * g;
    double vBound = beta2 * v + (1.0 - beta2) * g * g;
    double wBound = Math.abs((double) decay()) * w + (double) stepSize() * mBound / epsilon;
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
      System.arraycopy(saved[0], from, appliedParams, from, length);
      System.arraycopy(saved[1], from, firstMoment, from, length);
      System.arraycopy(saved[2], from, secondMoment, from, length);
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
