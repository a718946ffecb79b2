package dev.kiln.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise kernels on the incubating Vector API ({@code jdk.incubator.vector}), for JDK 17
 * and later.
 *
 * <ul>
 *   <li>The species is a {@code static final} constant: a non-constant species boxes every
 *       vector and is about 10x slower. Vectors only ever live in locals.</li>
 *   <li>Transcendentals use {@code lanewise(EXP)}, {@code lanewise(EXPM1)} and
 *       {@code lanewise(TANH)} (SVML-backed on x86); {@code expm1} wherever {@code exp(x) - 1}
 *       would cancel near 0, and formulas rearranged so saturating inputs never give NaN.</li>
 *   <li>NaN in gives NaN out, as in {@link ScalarElementwise}: {@code max}, {@code min} and
 *       {@code reduceLanes(MAX)} follow {@link Math#max(float, float)} and propagate NaN (also
 *       once C2 has compiled them, checked on JDK 17 and 25), and the ReLU-family derivatives,
 *       whose value would not depend on a NaN x, blend x back in where it is NaN
 *       ({@code v.compare(NE, v)}, written out: a helper returning {@code VectorMask} was not
 *       inlined by C2 until this class had resolved that type, "unloaded signature classes").</li>
 *   <li>Every vector a method is called on has its concrete class where C2 parses it
 *       ({@link VectorGemm#EXACT}).</li>
 *   <li>Only the API that has been stable since JDK 16 is used (no byte[]/ByteBuffer/
 *       MemorySegment access), so the same class runs on JDK 17 and JDK 25.</li>
 * </ul>
 * Element-wise tails (fewer than one vector of elements) are delegated to
 * {@link ScalarElementwise}, the reference twin, so both implementations agree on every element
 * within float rounding.
 *
 * <p>Never referenced directly by code that must run without the module: {@link KernelSelector}
 * instantiates it reflectively, so this class is only linked when the Vector API is present.
 */
final class VectorElementwise implements Elementwise {

  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** Float lanes per vector. */
  private static final int L = S.length();

  private static final ScalarElementwise SCALAR = new ScalarElementwise();

  /**
   * The concrete vector class: every vector a method is called on is cast to it where it is made
   * ({@link #load}, {@code broadcast}, {@code zero}) and after a loop that carries it, so no call
   * depends on a type profile; see {@link VectorGemm#EXACT} for why that matters.
   */
  private static final Class<? extends FloatVector> EXACT = VectorGemm.EXACT;

  private static final float ERFC_P_X = (float) Gaussian.ERFC_P_X;
  private static final float E0 = (float) Gaussian.E0;
  private static final float E1 = (float) Gaussian.E1;
  private static final float E2 = (float) Gaussian.E2;
  private static final float E3 = (float) Gaussian.E3;
  private static final float E4 = (float) Gaussian.E4;
  private static final float E5 = (float) Gaussian.E5;
  private static final float E6 = (float) Gaussian.E6;
  private static final float E7 = (float) Gaussian.E7;
  private static final float E8 = (float) Gaussian.E8;
  private static final float E9 = (float) Gaussian.E9;
  private static final float E10 = (float) Gaussian.E10;
  private static final float INV_SQRT_2PI = (float) Gaussian.INV_SQRT_2PI;
  /** {@code 2 sqrt(2/pi)}: geluTanh uses {@code 2u = x (K0 + K1 x^2)}. */
  private static final float GELU_TANH_K0 = (float) (2.0 * 0.79788456080286535588);
  private static final float GELU_TANH_K1 = (float) (2.0 * 0.79788456080286535588 * 0.044715);
  private static final float SELU_SCALE_ALPHA = (float) (1.0507009873554805 * 1.6732632423543772);

  VectorElementwise() {
    if (L < 4) {
      // Narrower than 128 bits: the Vector API would not beat plain loops.
      throw new UnsupportedOperationException("preferred float species has only " + L + " lanes");
    }
  }

  @Override
  public String description() {
    return "Vector API, " + L + " float lanes (" + S.vectorBitSize() + "-bit)";
  }

  // ---------------------------------------------------------------- sums and copies

  @Override
  public float maxAbs(int n, float[] x, int xOff) {
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    // Largest and smallest separately: only FloatVector max/min and the lane reductions the
    // softmax already uses. (An int-bits version with reinterpretAsInts was not intrinsified on
    // JDK 17 and its fallback left C2's later compilation of the GEMM micro-kernel 9x slower.)
    int bound = S.loopBound(n);
    FloatVector largest = zero;
    FloatVector smallest = zero;
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      largest = EXACT.cast(largest).max(v);
      smallest = EXACT.cast(smallest).min(v);
    }
    float vectorMax = Math.max(EXACT.cast(largest).reduceLanes(VectorOperators.MAX),
        -EXACT.cast(smallest).reduceLanes(VectorOperators.MIN)); // max and min propagate NaN
    float tailMax = SCALAR.maxAbs(n - bound, x, xOff + bound);
    return Math.max(vectorMax, tailMax);
  }

  @Override
  public void maxAbs4(int n, int offset, float[] a, float[] b, float[] c, float[] d, float[] out) {
    int bound = S.loopBound(n);
    FloatVector ma = EXACT.cast(FloatVector.zero(S));
    FloatVector mb = EXACT.cast(FloatVector.zero(S));
    FloatVector mc = EXACT.cast(FloatVector.zero(S));
    FloatVector md = EXACT.cast(FloatVector.zero(S));
    for (int i = offset; i < offset + bound; i += L) {
      // abs then max: NaN stays NaN (max propagates it), -0 and 0 are both 0.
      ma = load(a, i).abs().max(ma);
      mb = load(b, i).abs().max(mb);
      mc = load(c, i).abs().max(mc);
      md = load(d, i).abs().max(md);
    }
    int tail = offset + bound;
    out[0] = Math.max(EXACT.cast(ma).reduceLanes(VectorOperators.MAX), SCALAR.maxAbs(n - bound, a, tail));
    out[1] = Math.max(EXACT.cast(mb).reduceLanes(VectorOperators.MAX), SCALAR.maxAbs(n - bound, b, tail));
    out[2] = Math.max(EXACT.cast(mc).reduceLanes(VectorOperators.MAX), SCALAR.maxAbs(n - bound, c, tail));
    out[3] = Math.max(EXACT.cast(md).reduceLanes(VectorOperators.MAX), SCALAR.maxAbs(n - bound, d, tail));
  }

  @Override
  public void add(int n, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      load(a, aOff + i).add(load(b, bOff + i))
          .intoArray(c, cOff + i);
    }
    SCALAR.add(n - bound, a, aOff + bound, b, bOff + bound, c, cOff + bound);
  }

  @Override
  public void accumulate(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      load(y, yOff + i).add(load(x, xOff + i))
          .intoArray(y, yOff + i);
    }
    SCALAR.accumulate(n - bound, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void copyBlock(int rows, int cols, float[] src, int srcOff, int srcStride, float[] dst,
      int dstOff, int dstStride) {
    ScalarElementwise.copyRows(rows, cols, src, srcOff, srcStride, dst, dstOff, dstStride);
  }

  // ---------------------------------------------------------------- bias

  @Override
  public void addRowVector(int rows, int cols, float[] v, int vOff, float[] x, int xOff) {
    int bound = S.loopBound(cols);
    for (int r = 0; r < rows; r++) {
      int row = xOff + r * cols;
      int j = 0;
      for (; j < bound; j += L) {
        load(x, row + j).add(load(v, vOff + j))
            .intoArray(x, row + j);
      }
      for (; j < cols; j++) {
        x[row + j] += v[vOff + j];
      }
    }
  }

  @Override
  public void sumColumns(int rows, int cols, float[] x, int xOff, float[] out, int outOff,
      boolean accumulate) {
    int j = 0;
    // Four vectors of columns at a time, summed down the rows in registers.
    for (; j + 4 * L <= cols; j += 4 * L) {
      FloatVector s0 = EXACT.cast(FloatVector.zero(S));
      FloatVector s1 = EXACT.cast(FloatVector.zero(S));
      FloatVector s2 = EXACT.cast(FloatVector.zero(S));
      FloatVector s3 = EXACT.cast(FloatVector.zero(S));
      for (int r = 0, xi = xOff + j; r < rows; r++, xi += cols) {
        s0 = EXACT.cast(s0).add(load(x, xi));
        s1 = EXACT.cast(s1).add(load(x, xi + L));
        s2 = EXACT.cast(s2).add(load(x, xi + 2 * L));
        s3 = EXACT.cast(s3).add(load(x, xi + 3 * L));
      }
      int o = outOff + j;
      if (accumulate) {
        s0 = EXACT.cast(s0).add(load(out, o));
        s1 = EXACT.cast(s1).add(load(out, o + L));
        s2 = EXACT.cast(s2).add(load(out, o + 2 * L));
        s3 = EXACT.cast(s3).add(load(out, o + 3 * L));
      }
      EXACT.cast(s0).intoArray(out, o);
      EXACT.cast(s1).intoArray(out, o + L);
      EXACT.cast(s2).intoArray(out, o + 2 * L);
      EXACT.cast(s3).intoArray(out, o + 3 * L);
    }
    for (; j + L <= cols; j += L) {
      FloatVector s0 = EXACT.cast(FloatVector.zero(S));
      for (int r = 0, xi = xOff + j; r < rows; r++, xi += cols) {
        s0 = EXACT.cast(s0).add(load(x, xi));
      }
      if (accumulate) {
        s0 = EXACT.cast(s0).add(load(out, outOff + j));
      }
      EXACT.cast(s0).intoArray(out, outOff + j);
    }
    for (; j < cols; j++) {
      float sum = 0f;
      for (int r = 0, xi = xOff + j; r < rows; r++, xi += cols) {
        sum += x[xi];
      }
      out[outOff + j] = accumulate ? out[outOff + j] + sum : sum;
    }
  }

  // ---------------------------------------------------------------- activations, forward
  // Pattern: a vector main loop, then the last (n mod L) elements through the scalar twin.

  @Override
  public void relu(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    for (int i = 0; i < bound; i += L) {
      load(x, xOff + i).max(zero).intoArray(y, yOff + i);
    }
    SCALAR.relu(n - bound, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void leakyRelu(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yOff + i);
    }
    SCALAR.leakyRelu(n - bound, alpha, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void elu(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      FloatVector negative = v.min(0f).lanewise(VectorOperators.EXPM1).mul(alpha);
      negative.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yOff + i);
    }
    SCALAR.elu(n - bound, alpha, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void selu(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      FloatVector negative = v.min(0f).lanewise(VectorOperators.EXPM1).mul(SELU_SCALE_ALPHA);
      negative.blend(v.mul(SELU_SCALE), v.compare(VectorOperators.GT, 0f)).intoArray(y, yOff + i);
    }
    SCALAR.selu(n - bound, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void sigmoid(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      sigmoid(load(x, xOff + i)).intoArray(y, yOff + i);
    }
    SCALAR.sigmoid(n - bound, x, xOff + bound, y, yOff + bound);
  }

  /**
   * {@code lanewise(TANH)} (SVML on x86). A tanh built from {@code exp},
   * {@code (1 - e) / (1 + e)} with {@code e = exp(-2|x|)}, is faster but loses relative accuracy
   * near 0 (6e-5 at |x| = 1e-3); made accurate there (via {@code expm1}, or a Taylor branch
   * blended in for |x| < 0.3) it measured slower than TANH: 0.65-0.75 vs 0.5-0.6 ns per element
   * on Zen 5, JDK 17 and 25.
   */
  @Override
  public void tanh(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      load(x, xOff + i).lanewise(VectorOperators.TANH).intoArray(y, yOff + i);
    }
    SCALAR.tanh(n - bound, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void swish(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      v.mul(sigmoid(v)).intoArray(y, yOff + i);
    }
    SCALAR.swish(n - bound, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void gelu(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      FloatVector halfErfc = erfcOfAbsScaled(v, expMinusHalfSquare(v)).mul(0.5f);
      FloatVector cdf = halfErfc.neg().add(1f).blend(halfErfc, v.compare(VectorOperators.LT, 0f));
      v.mul(cdf).intoArray(y, yOff + i);
    }
    SCALAR.gelu(n - bound, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void geluTanh(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      // 0.5 x (1 + tanh u) == x sigmoid(2u): no cancellation for negative x.
      FloatVector twoU = v.mul(v).fma(GELU_TANH_K1, GELU_TANH_K0).mul(v);
      v.mul(sigmoid(twoU)).intoArray(y, yOff + i);
    }
    SCALAR.geluTanh(n - bound, x, xOff + bound, y, yOff + bound);
  }

  // ---------------------------------------------------------------- activations, backward

  @Override
  public void reluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      zero.blend(load(dy, dyOff + i), v.compare(VectorOperators.GT, 0f))
          .blend(v, v.compare(VectorOperators.NE, v)).intoArray(dx, dxOff + i);
    }
    SCALAR.reluBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound, dx, dxOff + bound);
  }

  @Override
  public void leakyReluBackward(int n, float alpha, float[] x, int xOff, float[] y, int yOff,
      float[] dy, int dyOff, float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      FloatVector g = load(dy, dyOff + i);
      g.mul(alpha).blend(g, v.compare(VectorOperators.GT, 0f))
          .blend(v, v.compare(VectorOperators.NE, v)).intoArray(dx, dxOff + i);
    }
    SCALAR.leakyReluBackward(n - bound, alpha, x, xOff + bound, y, yOff + bound, dy, dyOff + bound,
        dx, dxOff + bound);
  }

  @Override
  public void eluBackward(int n, float alpha, float[] x, int xOff, float[] y, int yOff,
      float[] dy, int dyOff, float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      FloatVector g = load(dy, dyOff + i);
      // alpha * exp(x), as PyTorch: y + alpha would cancel for very negative x.
      FloatVector negative = v.min(0f).lanewise(VectorOperators.EXP).mul(alpha).mul(g);
      negative.blend(g, v.compare(VectorOperators.GT, 0f)).intoArray(dx, dxOff + i);
    }
    SCALAR.eluBackward(n - bound, alpha, x, xOff + bound, y, yOff + bound, dy, dyOff + bound,
        dx, dxOff + bound);
  }

  @Override
  public void seluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      FloatVector g = load(dy, dyOff + i);
      FloatVector slope = v.min(0f).lanewise(VectorOperators.EXP).mul(SELU_SCALE_ALPHA)
          .blend(FloatVector.broadcast(S, SELU_SCALE), v.compare(VectorOperators.GT, 0f));
      slope.mul(g).intoArray(dx, dxOff + i);
    }
    SCALAR.seluBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound, dx, dxOff + bound);
  }

  @Override
  public void sigmoidBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy,
      int dyOff, float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector s = load(y, yOff + i);
      FloatVector g = load(dy, dyOff + i);
      g.mul(s).mul(s.neg().add(1f)).intoArray(dx, dxOff + i);
    }
    SCALAR.sigmoidBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound,
        dx, dxOff + bound);
  }

  @Override
  public void tanhBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector t = load(y, yOff + i);
      FloatVector g = load(dy, dyOff + i);
      g.mul(t.mul(t).neg().add(1f)).intoArray(dx, dxOff + i);
    }
    SCALAR.tanhBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound, dx, dxOff + bound);
  }

  @Override
  public void swishBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      FloatVector s = sigmoid(v);
      // s + x s (1 - s)
      FloatVector slope = v.mul(s).mul(s.neg().add(1f)).add(s);
      slope.mul(load(dy, dyOff + i)).intoArray(dx, dxOff + i);
    }
    SCALAR.swishBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound, dx, dxOff + bound);
  }

  @Override
  public void geluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      FloatVector gauss = expMinusHalfSquare(v);
      FloatVector halfErfc = erfcOfAbsScaled(v, gauss).mul(0.5f);
      FloatVector cdf = halfErfc.neg().add(1f).blend(halfErfc, v.compare(VectorOperators.LT, 0f));
      // Phi(x) + x phi(x)
      FloatVector slope = v.mul(gauss).fma(FloatVector.broadcast(S, INV_SQRT_2PI), cdf);
      slope.mul(load(dy, dyOff + i)).intoArray(dx, dxOff + i);
    }
    SCALAR.geluBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound, dx, dxOff + bound);
  }

  @Override
  public void geluTanhBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy,
      int dyOff, float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = load(x, xOff + i);
      FloatVector square = v.mul(v);
      FloatVector s = sigmoid(square.fma(GELU_TANH_K1, GELU_TANH_K0).mul(v));
      // s + x s (1 - s) (2u)', with (2u)' = K0 + 3 K1 x^2
      FloatVector twoUPrime = square.fma(3f * GELU_TANH_K1, GELU_TANH_K0);
      FloatVector slope = v.mul(s).mul(s.neg().add(1f)).fma(twoUPrime, s);
      slope.mul(load(dy, dyOff + i)).intoArray(dx, dxOff + i);
    }
    SCALAR.geluTanhBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound,
        dx, dxOff + bound);
  }

  // ---------------------------------------------------------------- softmax

  @Override
  public void softmax(int rows, int cols, float invTemperature, float[] x, int xOff,
      float[] y, int yOff) {
    int bound = S.loopBound(cols);
    if (bound == 0) {
      // Rows narrower than a vector (Iris's 3 classes, a 13-token step): the vector part would
      // only reduce empty accumulators, which cost boxed vectors whenever this method runs
      // outside C2 (a step stuck at C1's tier 2 allocated 192 bytes a call) and time always.
      SCALAR.softmax(rows, cols, invTemperature, x, xOff, y, yOff);
      return;
    }
    for (int r = 0; r < rows; r++) {
      int xr = xOff + r * cols;
      int yr = yOff + r * cols;
      FloatVector vmax = EXACT.cast(FloatVector.broadcast(S, Float.NEGATIVE_INFINITY));
      int j = 0;
      for (; j < bound; j += L) {
        vmax = EXACT.cast(vmax).max(load(x, xr + j).mul(invTemperature));
      }
      float max = EXACT.cast(vmax).reduceLanes(VectorOperators.MAX);
      for (; j < cols; j++) {
        max = Math.max(max, x[xr + j] * invTemperature);
      }
      FloatVector vsum = EXACT.cast(FloatVector.zero(S));
      for (j = 0; j < bound; j += L) {
        FloatVector e = load(x, xr + j).mul(invTemperature).sub(max)
            .lanewise(VectorOperators.EXP);
        e.intoArray(y, yr + j);
        vsum = EXACT.cast(vsum).add(e);
      }
      float sum = EXACT.cast(vsum).reduceLanes(VectorOperators.ADD);
      for (; j < cols; j++) {
        float e = (float) Math.exp(x[xr + j] * invTemperature - max);
        y[yr + j] = e;
        sum += e;
      }
      float inv = 1f / sum;
      for (j = 0; j < bound; j += L) {
        load(y, yr + j).mul(inv).intoArray(y, yr + j);
      }
      for (; j < cols; j++) {
        y[yr + j] *= inv;
      }
    }
  }

  @Override
  public void softmaxBackward(int rows, int cols, float invTemperature, float[] y, int yOff,
      float[] dy, int dyOff, float[] dx, int dxOff) {
    int bound = S.loopBound(cols);
    for (int r = 0; r < rows; r++) {
      int yr = yOff + r * cols;
      int gr = dyOff + r * cols;
      int dr = dxOff + r * cols;
      FloatVector vdot = EXACT.cast(FloatVector.zero(S));
      int j = 0;
      for (; j < bound; j += L) {
        vdot = load(dy, gr + j).fma(load(y, yr + j), vdot);
      }
      float dot = EXACT.cast(vdot).reduceLanes(VectorOperators.ADD);
      for (; j < cols; j++) {
        dot += dy[gr + j] * y[yr + j];
      }
      for (j = 0; j < bound; j += L) {
        FloatVector s = load(y, yr + j);
        load(dy, gr + j).sub(dot).mul(s).mul(invTemperature).intoArray(dx, dr + j);
      }
      for (; j < cols; j++) {
        dx[dr + j] = invTemperature * y[yr + j] * (dy[gr + j] - dot);
      }
    }
  }

  // ---------------------------------------------------------------- vector helpers

  /** {@code FloatVector.fromArray}, typed with its concrete class (see {@link #EXACT}). */
  private static FloatVector load(float[] a, int offset) {
    return EXACT.cast(FloatVector.fromArray(S, a, offset));
  }

  /** {@code 1 / (1 + exp(-x))}: exp overflows to +inf for x below about -88, giving 0, never NaN. */
  private static FloatVector sigmoid(FloatVector v) {
    return EXACT.cast(FloatVector.broadcast(S, 1f)).div(v.neg().lanewise(VectorOperators.EXP).add(1f));
  }

  /**
   * {@code exp(-x^2 / 2)} with the rounding error of {@code x^2} recovered by an fma and applied
   * to first order, so the result keeps float accuracy even where {@code x^2} is large.
   */
  private static FloatVector expMinusHalfSquare(FloatVector v) {
    FloatVector square = v.mul(v);
    FloatVector squareError = v.fma(v, square.neg());
    return square.mul(-0.5f).lanewise(VectorOperators.EXP).mul(squareError.fma(-0.5f, 1f));
  }

  /** {@code erfc(|x| / sqrt 2)}, given {@code exp(-x^2 / 2)}; see {@link Gaussian}. */
  private static FloatVector erfcOfAbsScaled(FloatVector v, FloatVector gauss) {
    FloatVector t = EXACT.cast(FloatVector.broadcast(S, 1f)).div(v.abs().fma(ERFC_P_X, 1f));
    FloatVector poly = EXACT.cast(FloatVector.broadcast(S, E10));
    poly = poly.fma(t, FloatVector.broadcast(S, E9));
    poly = poly.fma(t, FloatVector.broadcast(S, E8));
    poly = poly.fma(t, FloatVector.broadcast(S, E7));
    poly = poly.fma(t, FloatVector.broadcast(S, E6));
    poly = poly.fma(t, FloatVector.broadcast(S, E5));
    poly = poly.fma(t, FloatVector.broadcast(S, E4));
    poly = poly.fma(t, FloatVector.broadcast(S, E3));
    poly = poly.fma(t, FloatVector.broadcast(S, E2));
    poly = poly.fma(t, FloatVector.broadcast(S, E1));
    poly = poly.fma(t, FloatVector.broadcast(S, E0));
    return t.mul(poly).mul(gauss);
  }
}
