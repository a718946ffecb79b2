package dev.kiln.runtime.optim;

import dev.kiln.runtime.kernels.Elementwise;
import dev.kiln.runtime.kernels.ParallelRanges;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

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
  /** {@link #provablyFinite}'s two magnitude bounds, reused. */
  private final float[] magnitudes = new float[2];
  /** Bounds on |m| and v per range, carried from step to step so a proof reads only gradients and parameters. */
  private final MomentBounds momentBounds = new MomentBounds();
  /** Counts the steps begun (refused ones too, unlike the iterations a user may set): names the step a proof was for. */
  private long stepSerial;
  /**
   * Ranges at least twice this long update on several threads ({@link ParallelRanges}): W1's
   * first layer has 200k parameters, and its update was a fifth of a two-thread step on one.
   */
  private static final int MIN_PARALLEL_RANGE = 32_768;
  /** The running update's arguments, read by {@link #updateTask}'s parts. */
  private float[] updateParams;
  private float[] updateGrads;
  private float updateDecay;
  private float updateStepSize;
  private float updateRsqrtBc2;
  private final ParallelRanges.RangeTask updateTask = this::updateRange;
  /**
   * The proof's sums over gradients and parameters, in parts on the update's threads, each part
   * into its own pair of {@link #proofPartials}. Summed in parts, the bounds' last bits depend on
   * the thread count; a proof only chooses between two paths that write the same values.
   */
  private final ParallelRanges.RangeTask proofTask = this::sumRange;
  private float[] proofGrads;
  private float[] proofParams;
  private float[][] proofPartials = new float[2][2];
  private final AtomicInteger proofParts = new AtomicInteger();
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
    if (!momentBounds.provenFor(from, to, stepSerial)) {
      momentBounds.forget(from, to); // a step no proof bounded (step(), or the exact path)
    }
    double biasCorrection1 = 1.0 - Math.pow(beta1, iterations);
    double biasCorrection2 = 1.0 - Math.pow(beta2, iterations);
    updateDecay = (float) (1.0 - (double) learningRate * weightDecay);
    // lr * (m / bc1) / (sqrt(v / bc2) + eps) == stepSize * m / (sqrt(v) * rsqrtBc2 + eps)
    updateStepSize = (float) (learningRate / biasCorrection1);
    updateRsqrtBc2 = (float) (1.0 / Math.sqrt(biasCorrection2));
    updateParams = params;
    updateGrads = grads;
    try {
      if (to - from < 2 * MIN_PARALLEL_RANGE) {
        updateRange(from, to); // one part: no hand-off, and less to run before the JIT has compiled it
      } else {
        ParallelRanges.run(from, to, MIN_PARALLEL_RANGE, updateTask);
      }
    } finally {
      updateParams = null;
      updateGrads = null;
    }
  }

  /** {@link #update}'s loop over one part of its range (element-wise: any split gives the same values). */
  private void updateRange(int from, int to) {
    float[] params = updateParams;
    float[] grads = updateGrads;
    float decay = updateDecay;
    float stepSize = updateStepSize;
    float rsqrtBc2 = updateRsqrtBc2;
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
    Elementwise kernels = Elementwise.ACTIVE;
    return kernels.allFinite(length, params, from) && kernels.allFinite(length, v, from) ? 0 : -1;
  }

  /**
   * Whether bounds on the magnitudes in the range prove every new parameter and moment finite:
   * |m'| <= beta1 |m| + (1 - beta1) |g|, v' <= beta2 v + (1 - beta2) g^2, and, as the denominator
   * is at least epsilon, |w'| <= |decay| |w| + stepSize |m'| / epsilon. Gradients and parameters
   * come from outside and are read: their L1 norms ({@link Elementwise#sumAbs2}) bound their
   * largest magnitudes, loosely but far below the limit in any training that is not diverging,
   * and in one pass cheaper than a max. The moments' bounds are the previous proof's m' and v'
   * bounds while the moments have changed only by the steps it proved ({@link MomentBounds}), so
   * a W1 step reads two arrays here instead of four (or copying the range and scanning the
   * result, which cost twice the update). Bounds under 1e38 leave a margin far above the
   * roundings of the float arithmetic, also when carried over many steps (each is an average
   * whose rounding excess stays below 2^-22 / (1 - beta)); NaN anywhere fails every comparison and
   * takes the exact path.
   */
  private boolean provablyFinite(float[] params, float[] grads, int from, int to) {
    int n = to - from;
    Elementwise kernels = Elementwise.ACTIVE;
    int known = momentBounds.find(from, to);
    double m;
    double v;
    if (known >= 0) {
      m = momentBounds.firstMoment(known);
      v = momentBounds.secondMoment(known);
    } else {
      kernels.sumAbs2(n, from, firstMoment, secondMoment, magnitudes);
      m = magnitudes[0];
      v = magnitudes[1];
    }
    double g = 0;
    double w = 0;
    proofGrads = grads;
    proofParams = params;
    proofParts.set(0);
    try {
      if (n < 2 * MIN_PARALLEL_RANGE) {
        sumRange(from, to);
      } else {
        int maxParts = ParallelRanges.maxParts();
        if (proofPartials.length < maxParts) {
          proofPartials = new float[maxParts][2]; // grows with the thread count, once
        }
        ParallelRanges.run(from, to, MIN_PARALLEL_RANGE, maxParts, proofTask);
      }
      for (int part = 0; part < proofParts.get(); part++) {
        g += proofPartials[part][0];
        w += proofPartials[part][1];
      }
    } finally {
      proofGrads = null;
      proofParams = null;
    }
    double mBound = beta1 * m + (1.0 - beta1) * g;
    double vBound = beta2 * v + (1.0 - beta2) * g * g;
    double decay = 1.0 - (double) learningRate * weightDecay;
    double stepSize = learningRate / (1.0 - Math.pow(beta1, iterations));
    double wBound = Math.abs(decay) * w + stepSize * mBound / epsilon;
    double limit = 1e38;
    boolean proven = mBound < limit && vBound < limit && wBound < limit;
    if (proven && known >= 0) {
      momentBounds.set(known, mBound, vBound, stepSerial); // the usual case: the range the last step proved
    } else if (proven) {
      momentBounds.record(from, to, mBound, vBound, stepSerial);
    } else {
      momentBounds.forget(from, to);
    }
    return proven;
  }

  /** One part of the proof's sums of |g| and |w| ({@link #proofTask}). */
  private void sumRange(int from, int to) {
    float[] sums = proofPartials[proofParts.getAndIncrement()];
    Elementwise.ACTIVE.sumAbs2(to - from, from, proofGrads, proofParams, sums);
  }

  @Override
  void discardStaged() {
    appliedCount = 0;
    stepSerial++; // called as every step begins
  }

  @Override
  void undoStaged() {
    momentBounds.clear(); // this step's proofs bound moments the refused step does not write
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
    momentBounds.clear(); // the caller may write the moments (a checkpoint's restore does)
    java.util.LinkedHashMap<String, float[]> state = new java.util.LinkedHashMap<>();
    state.put("m", firstMoment);
    state.put("v", secondMoment);
    return state;
  }

  @Override
  void clearState() {
    momentBounds.clear();
    Arrays.fill(firstMoment, 0f);
    Arrays.fill(secondMoment, 0f);
  }

  @Override
  String describeHyperparameters() {
    return hyperparameter("beta1", beta1) + hyperparameter("beta2", beta2) + hyperparameter("epsilon", epsilon)
        + (decoupledDecay ? hyperparameter("weightDecay", weightDecay) : "");
  }

  /**
   * Upper bounds on |m| and v over ranges of the moment arrays, each from the proof of the last
   * step that wrote the range. Ranges recorded never overlap (recording one forgets those it
   * overlaps), so each element's moments are vouched for by at most one bound; any write no proof
   * bounded forgets the ranges it touches. A model steps the same few ranges (its trainable
   * layers) every step, so the list stays short.
   */
  private static final class MomentBounds {
    private int[] ranges = new int[8];
    private double[] bounds = new double[8];
    private long[] provenAt = new long[4];
    private int count;

    int find(int from, int to) {
      for (int e = 0; e < count; e++) {
        if (ranges[2 * e] == from && ranges[2 * e + 1] == to) {
          return e;
        }
      }
      return -1;
    }

    double firstMoment(int entry) {
      return bounds[2 * entry];
    }

    double secondMoment(int entry) {
      return bounds[2 * entry + 1];
    }

    /** Whether the proof of step {@code serial} bounded exactly this range. */
    boolean provenFor(int from, int to, long serial) {
      int e = find(from, to);
      return e >= 0 && provenAt[e] == serial;
    }

    /** New bounds for a range already recorded (entry {@code e} of {@link #find}). */
    void set(int e, double firstMomentBound, double secondMomentBound, long serial) {
      bounds[2 * e] = firstMomentBound;
      bounds[2 * e + 1] = secondMomentBound;
      provenAt[e] = serial;
    }

    /** Records a range not recorded yet, forgetting those it overlaps. */
    void record(int from, int to, double firstMomentBound, double secondMomentBound, long serial) {
      if (from >= to) {
        return; // nothing to vouch for
      }
      forget(from, to);
      if (count == provenAt.length) {
        ranges = Arrays.copyOf(ranges, 4 * count); // grows a few times, to the model's range count
        bounds = Arrays.copyOf(bounds, 4 * count);
        provenAt = Arrays.copyOf(provenAt, 2 * count);
      }
      ranges[2 * count] = from;
      ranges[2 * count + 1] = to;
      set(count++, firstMomentBound, secondMomentBound, serial);
    }

    /** Forgets every range that overlaps {@code [from, to)}. */
    void forget(int from, int to) {
      int kept = 0;
      for (int e = 0; e < count; e++) {
        if (ranges[2 * e] < to && from < ranges[2 * e + 1]) {
          continue;
        }
        ranges[2 * kept] = ranges[2 * e];
        ranges[2 * kept + 1] = ranges[2 * e + 1];
        bounds[2 * kept] = bounds[2 * e];
        bounds[2 * kept + 1] = bounds[2 * e + 1];
        provenAt[kept] = provenAt[e];
        kept++;
      }
      count = kept;
    }

    void clear() {
      count = 0;
    }
  }
}
