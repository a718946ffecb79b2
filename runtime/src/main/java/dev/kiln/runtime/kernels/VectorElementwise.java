package dev.kiln.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise kernels on the incubating Vector API ({@code jdk.incubator.vector}), for JDK 17
 * and later.
 *
 * <ul>
 *   <li>The species is a {@code static final} constant: a non-constant species boxes every
 *       vector and is about 10x slower. Vectors only ever live in locals.</li>
 *   <li>Every e^x is {@link #exponentiate}'s, built from lane operations IEEE 754 defines
 *       exactly, in a pass of its own over the array: never {@code lanewise(EXP/EXPM1/TANH)},
 *       which are SVML calls in C2 but {@code Math} per lane in the interpreter's and C1's
 *       fallbacks, so a fit's first steps gave other bits than compiled ones and one seed
 *       trained differently from one JVM to the next ({@code JitIndependenceTest}). An
 *       activation is therefore two or three passes: its argument, the exponentiation in place,
 *       the rest. (One helper taking and returning vectors, shared by every kernel, boxed them in
 *       11 of 13 kernels run without type profiles.) expm1 where {@code exp(x) - 1} would
 *       cancel near 0; formulas arranged so saturating inputs never give NaN.</li>
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
 * {@link ScalarElementwise}, the reference twin, where it computes the same bits (sums, copies,
 * the ReLU family); the exponentiating activations compute their tail with scalar copies of one
 * lane's operations instead, so an element's value never depends on its position in the range (a
 * sample's activations are the same alone as in a batch).
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
   * ({@code fromArray}, {@code broadcast}, {@code zero}) and after a loop that carries it, so no
   * call depends on a type profile; see {@link VectorGemm#EXACT} for why that matters. The casts
   * are written out rather than wrapped in a helper, like all vector code here: a helper C2 does
   * not inline (its own compiled code grew past {@code -XX:InlineSmallCode}, or the kernel's
   * inlining budget ran out) boxes every vector that crosses the call.
   */
  private static final Class<? extends FloatVector> EXACT = VectorGemm.EXACT;
  private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, S.vectorShape());
  private static final Class<? extends IntVector> INT_EXACT = IntVector.zero(INTS).getClass();
  /** {@link #exponentiate}'s constants: see {@link FloatMath}, its scalar form. */
  private static final float LOG2E = FloatMath.LOG2E;
  private static final float ROUNDER = FloatMath.ROUNDER;
  private static final int ROUNDER_BITS = FloatMath.ROUNDER_BITS;
  private static final float LN2_HIGH = FloatMath.LN2_HIGH;
  private static final float LN2_LOW = FloatMath.LN2_LOW;
  private static final float EXP_P0 = FloatMath.P0;
  private static final float EXP_P1 = FloatMath.P1;
  private static final float EXP_P2 = FloatMath.P2;
  private static final float EXP_P3 = FloatMath.P3;
  private static final float EXP_P4 = FloatMath.P4;
  private static final float EXP_P5 = FloatMath.P5;
  /** Below this |x|, e^x - 1 is x + x^2 P(x) with exp's polynomial P: no cancellation. */
  private static final float EXPM1_SERIES_BOUND = 0.3465f;
  /** Cephes' tanhf: see {@link FloatMath#tanh}, its scalar form. */
  private static final float TANH_T0 = FloatMath.TANH_T0;
  private static final float TANH_T1 = FloatMath.TANH_T1;
  private static final float TANH_T2 = FloatMath.TANH_T2;
  private static final float TANH_T3 = FloatMath.TANH_T3;
  private static final float TANH_T4 = FloatMath.TANH_T4;
  private static final float TANH_SERIES_BOUND = FloatMath.TANH_SERIES_BOUND;

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
  public boolean allFinite(int n, float[] x, int xOff) {
    if (n < 4 * L) {
      // Rows narrower than four vectors (a batch check of 4 features): no vector code to run, so
      // none whose zero accumulators C1 would box before C2 has compiled this method.
      return SCALAR.allFinite(n, x, xOff);
    }
    // x * 0 is 0 for a finite x and NaN for an infinite or NaN one: four fma chains, so the adds'
    // latency hides under the loads, and one NaN test at the end. (A running max and min, Java's
    // max being several instructions on x86, read W3's 256 x 784 batch in 47 us; this, in 7.9.)
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    FloatVector s0 = zero;
    FloatVector s1 = zero;
    FloatVector s2 = zero;
    FloatVector s3 = zero;
    int bound = n / (4 * L) * (4 * L);
    for (int i = 0; i < bound; i += 4 * L) {
      int o = xOff + i;
      s0 = EXACT.cast(FloatVector.fromArray(S, x, o)).fma(zero, s0);
      s1 = EXACT.cast(FloatVector.fromArray(S, x, o + L)).fma(zero, s1);
      s2 = EXACT.cast(FloatVector.fromArray(S, x, o + 2 * L)).fma(zero, s2);
      s3 = EXACT.cast(FloatVector.fromArray(S, x, o + 3 * L)).fma(zero, s3);
    }
    FloatVector sum = EXACT.cast(EXACT.cast(s0).add(s1)).add(EXACT.cast(EXACT.cast(s2).add(s3)));
    return !Float.isNaN(VectorGemm.sumLanes(sum)) && SCALAR.allFinite(n - bound, x, xOff + bound);
  }

  @Override
  public void sumAbs2(int n, int offset, float[] a, float[] b, float[] out) {
    if (n < L) {
      SCALAR.sumAbs2(n, offset, a, b, out);
      return;
    }
    // Two accumulators per array so the adds' latency hides under the loads. (A sum, not a max:
    // Java's max is several instructions on x86 and ran 1.4x slower here.)
    int pairBound = n / (2 * L) * (2 * L);
    FloatVector sa = EXACT.cast(FloatVector.zero(S));
    FloatVector sb = EXACT.cast(FloatVector.zero(S));
    FloatVector ta = EXACT.cast(FloatVector.zero(S));
    FloatVector tb = EXACT.cast(FloatVector.zero(S));
    for (int i = offset; i < offset + pairBound; i += 2 * L) {
      sa = EXACT.cast(FloatVector.fromArray(S, a, i)).abs().add(sa);
      sb = EXACT.cast(FloatVector.fromArray(S, b, i)).abs().add(sb);
      ta = EXACT.cast(FloatVector.fromArray(S, a, i + L)).abs().add(ta);
      tb = EXACT.cast(FloatVector.fromArray(S, b, i + L)).abs().add(tb);
    }
    SCALAR.sumAbs2(n - pairBound, offset + pairBound, a, b, out);
    out[0] += EXACT.cast(sa).add(ta).reduceLanes(VectorOperators.ADD);
    out[1] += EXACT.cast(sb).add(tb).reduceLanes(VectorOperators.ADD);
  }

  @Override
  public void add(int n, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      EXACT.cast(FloatVector.fromArray(S, a, aOff + i)).add(FloatVector.fromArray(S, b, bOff + i))
          .intoArray(c, cOff + i);
    }
    SCALAR.add(n - bound, a, aOff + bound, b, bOff + bound, c, cOff + bound);
  }

  @Override
  public void accumulate(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      EXACT.cast(FloatVector.fromArray(S, y, yOff + i)).add(FloatVector.fromArray(S, x, xOff + i))
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
        EXACT.cast(FloatVector.fromArray(S, x, row + j)).add(FloatVector.fromArray(S, v, vOff + j))
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
        s0 = EXACT.cast(s0).add(FloatVector.fromArray(S, x, xi));
        s1 = EXACT.cast(s1).add(FloatVector.fromArray(S, x, xi + L));
        s2 = EXACT.cast(s2).add(FloatVector.fromArray(S, x, xi + 2 * L));
        s3 = EXACT.cast(s3).add(FloatVector.fromArray(S, x, xi + 3 * L));
      }
      int o = outOff + j;
      if (accumulate) {
        s0 = EXACT.cast(s0).add(FloatVector.fromArray(S, out, o));
        s1 = EXACT.cast(s1).add(FloatVector.fromArray(S, out, o + L));
        s2 = EXACT.cast(s2).add(FloatVector.fromArray(S, out, o + 2 * L));
        s3 = EXACT.cast(s3).add(FloatVector.fromArray(S, out, o + 3 * L));
      }
      EXACT.cast(s0).intoArray(out, o);
      EXACT.cast(s1).intoArray(out, o + L);
      EXACT.cast(s2).intoArray(out, o + 2 * L);
      EXACT.cast(s3).intoArray(out, o + 3 * L);
    }
    for (; j + L <= cols; j += L) {
      FloatVector s0 = EXACT.cast(FloatVector.zero(S));
      for (int r = 0, xi = xOff + j; r < rows; r++, xi += cols) {
        s0 = EXACT.cast(s0).add(FloatVector.fromArray(S, x, xi));
      }
      if (accumulate) {
        s0 = EXACT.cast(s0).add(FloatVector.fromArray(S, out, outOff + j));
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
  // Pattern: a vector main loop, then the last (n mod L) elements through the scalar twin, or
  // (exponentiating activations) through the lane methods below, which give the lanes' bits.

  @Override
  public void relu(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    for (int i = 0; i < bound; i += L) {
      EXACT.cast(FloatVector.fromArray(S, x, xOff + i)).max(zero).intoArray(y, yOff + i);
    }
    SCALAR.relu(n - bound, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void leakyRelu(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yOff + i);
    }
    SCALAR.leakyRelu(n - bound, alpha, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void elu(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    requireDistinct(x, xOff, y, yOff, n, "elu");
    int bound = S.loopBound(n);
    exponentiate(bound, x, xOff, 1f, 0f, y, yOff); // e^x (infinite for large x: not selected below)
    expMinusOne(bound, x, xOff, y, yOff);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      EXACT.cast(FloatVector.fromArray(S, y, yOff + i)).mul(alpha)
          .blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yOff + i);
    }
    for (int i = bound; i < n; i++) {
      y[yOff + i] = eluLane(x[xOff + i], alpha);
    }
  }

  @Override
  public void selu(int n, float[] x, int xOff, float[] y, int yOff) {
    requireDistinct(x, xOff, y, yOff, n, "selu");
    int bound = S.loopBound(n);
    exponentiate(bound, x, xOff, 1f, 0f, y, yOff);
    expMinusOne(bound, x, xOff, y, yOff);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      EXACT.cast(FloatVector.fromArray(S, y, yOff + i)).mul(SELU_SCALE_ALPHA)
          .blend(v.mul(SELU_SCALE), v.compare(VectorOperators.GT, 0f)).intoArray(y, yOff + i);
    }
    for (int i = bound; i < n; i++) {
      y[yOff + i] = seluLane(x[xOff + i]);
    }
  }

  @Override
  public void sigmoid(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    // 1 / (1 + exp(-x)): exp overflows to +inf below about -88, giving 0, never NaN.
    exponentiate(bound, x, xOff, -1f, 0f, y, yOff);
    for (int i = 0; i < bound; i += L) {
      FloatVector one = EXACT.cast(FloatVector.broadcast(S, 1f));
      one.div(EXACT.cast(FloatVector.fromArray(S, y, yOff + i)).add(1f)).intoArray(y, yOff + i);
    }
    for (int i = bound; i < n; i++) {
      y[yOff + i] = FloatMath.sigmoid(x[xOff + i]);
    }
  }

  /**
   * Cephes' tanhf: {@code x + x^3 T(x^2)} below |x| = 0.625, else {@code (1 - e) / (1 + e)} with
   * {@code e = e^(-2|x|)} and x's sign (e <= 0.29 there: no cancellation). Slower than {@code
   * lanewise(TANH)}, an SVML call in C2 (0.88 against 0.55 ns an element over 64 x 256 on JDK 17,
   * AMD EPYC), but the same bits compiled or not: see the class comment.
   */
  @Override
  public void tanh(int n, float[] x, int xOff, float[] y, int yOff) {
    requireDistinct(x, xOff, y, yOff, n, "tanh");
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      EXACT.cast(FloatVector.fromArray(S, x, xOff + i)).abs().mul(-2f).intoArray(y, yOff + i);
    }
    exponentiate(bound, y, yOff, 1f, 0f, y, yOff);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector e = EXACT.cast(FloatVector.fromArray(S, y, yOff + i));
      FloatVector one = EXACT.cast(FloatVector.broadcast(S, 1f));
      FloatVector large = EXACT.cast(one.sub(e).div(e.add(1f)));
      large = EXACT.cast(large.blend(large.neg(), v.compare(VectorOperators.LT, 0f)));
      FloatVector z = EXACT.cast(v.mul(v));
      FloatVector t = EXACT.cast(EXACT.cast(FloatVector.broadcast(S, TANH_T0)).fma(z, FloatVector.broadcast(S, TANH_T1)));
      t = EXACT.cast(t.fma(z, FloatVector.broadcast(S, TANH_T2)));
      t = EXACT.cast(t.fma(z, FloatVector.broadcast(S, TANH_T3)));
      t = EXACT.cast(t.fma(z, FloatVector.broadcast(S, TANH_T4)));
      FloatVector small = EXACT.cast(t.mul(z).fma(v, v)); // x + x z T(z)
      small = EXACT.cast(small.blend(v, v.compare(VectorOperators.EQ, 0f))); // -0 stays -0
      large.blend(small, v.abs().compare(VectorOperators.LT, TANH_SERIES_BOUND)).intoArray(y, yOff + i);
    }
    for (int i = bound; i < n; i++) {
      y[yOff + i] = FloatMath.tanh(x[xOff + i]);
    }
  }

  @Override
  public void swish(int n, float[] x, int xOff, float[] y, int yOff) {
    requireDistinct(x, xOff, y, yOff, n, "swish");
    int bound = S.loopBound(n);
    exponentiate(bound, x, xOff, -1f, 0f, y, yOff);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector one = EXACT.cast(FloatVector.broadcast(S, 1f));
      v.mul(one.div(EXACT.cast(FloatVector.fromArray(S, y, yOff + i)).add(1f))).intoArray(y, yOff + i);
    }
    for (int i = bound; i < n; i++) {
      y[yOff + i] = swishLane(x[xOff + i]);
    }
  }

  @Override
  public void gelu(int n, float[] x, int xOff, float[] y, int yOff) {
    requireDistinct(x, xOff, y, yOff, n, "gelu");
    int bound = S.loopBound(n);
    halfNegativeSquares(bound, x, xOff, y, yOff);
    exponentiate(bound, y, yOff, 1f, 0f, y, yOff);
    geluFromGaussian(bound, x, xOff, null, 0, y, yOff);
    for (int i = bound; i < n; i++) {
      y[yOff + i] = geluLane(x[xOff + i], 0f, false);
    }
  }

  @Override
  public void geluTanh(int n, float[] x, int xOff, float[] y, int yOff) {
    requireDistinct(x, xOff, y, yOff, n, "geluTanh");
    int bound = S.loopBound(n);
    // 0.5 x (1 + tanh u) == x sigmoid(2u): no cancellation for negative x.
    geluTanhArguments(bound, x, xOff, y, yOff);
    exponentiate(bound, y, yOff, -1f, 0f, y, yOff);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector one = EXACT.cast(FloatVector.broadcast(S, 1f));
      v.mul(one.div(EXACT.cast(FloatVector.fromArray(S, y, yOff + i)).add(1f))).intoArray(y, yOff + i);
    }
    for (int i = bound; i < n; i++) {
      y[yOff + i] = geluTanhLane(x[xOff + i]);
    }
  }

  // ---------------------------------------------------------------- activations, backward

  @Override
  public void reluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      zero.blend(FloatVector.fromArray(S, dy, dyOff + i), v.compare(VectorOperators.GT, 0f))
          .blend(v, v.compare(VectorOperators.NE, v)).intoArray(dx, dxOff + i);
    }
    SCALAR.reluBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound, dx, dxOff + bound);
  }

  @Override
  public void leakyReluBackward(int n, float alpha, float[] x, int xOff, float[] y, int yOff,
      float[] dy, int dyOff, float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector g = EXACT.cast(FloatVector.fromArray(S, dy, dyOff + i));
      g.mul(alpha).blend(g, v.compare(VectorOperators.GT, 0f))
          .blend(v, v.compare(VectorOperators.NE, v)).intoArray(dx, dxOff + i);
    }
    SCALAR.leakyReluBackward(n - bound, alpha, x, xOff + bound, y, yOff + bound, dy, dyOff + bound,
        dx, dxOff + bound);
  }

  @Override
  public void eluBackward(int n, float alpha, float[] x, int xOff, float[] y, int yOff,
      float[] dy, int dyOff, float[] dx, int dxOff) {
    requireDistinct(x, xOff, dx, dxOff, n, "eluBackward");
    requireDistinct(dy, dyOff, dx, dxOff, n, "eluBackward");
    int bound = S.loopBound(n);
    // alpha * exp(x), as PyTorch: y + alpha would cancel for very negative x.
    exponentiate(bound, x, xOff, 1f, 0f, dx, dxOff);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector g = EXACT.cast(FloatVector.fromArray(S, dy, dyOff + i));
      FloatVector negative = EXACT.cast(FloatVector.fromArray(S, dx, dxOff + i)).mul(alpha).mul(g);
      negative.blend(g, v.compare(VectorOperators.GT, 0f)).intoArray(dx, dxOff + i);
    }
    for (int i = bound; i < n; i++) {
      dx[dxOff + i] = eluSlope(x[xOff + i], alpha, dy[dyOff + i]);
    }
  }

  @Override
  public void seluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    requireDistinct(x, xOff, dx, dxOff, n, "seluBackward");
    requireDistinct(dy, dyOff, dx, dxOff, n, "seluBackward");
    int bound = S.loopBound(n);
    exponentiate(bound, x, xOff, 1f, 0f, dx, dxOff);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector g = EXACT.cast(FloatVector.fromArray(S, dy, dyOff + i));
      FloatVector slope = EXACT.cast(FloatVector.fromArray(S, dx, dxOff + i)).mul(SELU_SCALE_ALPHA)
          .blend(FloatVector.broadcast(S, SELU_SCALE), v.compare(VectorOperators.GT, 0f));
      slope.mul(g).intoArray(dx, dxOff + i);
    }
    for (int i = bound; i < n; i++) {
      dx[dxOff + i] = seluSlope(x[xOff + i]) * dy[dyOff + i];
    }
  }

  @Override
  public void sigmoidBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy,
      int dyOff, float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector s = EXACT.cast(FloatVector.fromArray(S, y, yOff + i));
      FloatVector g = EXACT.cast(FloatVector.fromArray(S, dy, dyOff + i));
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
      FloatVector t = EXACT.cast(FloatVector.fromArray(S, y, yOff + i));
      FloatVector g = EXACT.cast(FloatVector.fromArray(S, dy, dyOff + i));
      g.mul(t.mul(t).neg().add(1f)).intoArray(dx, dxOff + i);
    }
    SCALAR.tanhBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound, dx, dxOff + bound);
  }

  @Override
  public void swishBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    requireDistinct(x, xOff, dx, dxOff, n, "swishBackward");
    requireDistinct(dy, dyOff, dx, dxOff, n, "swishBackward");
    int bound = S.loopBound(n);
    exponentiate(bound, x, xOff, -1f, 0f, dx, dxOff);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector one = EXACT.cast(FloatVector.broadcast(S, 1f));
      FloatVector s = one.div(EXACT.cast(FloatVector.fromArray(S, dx, dxOff + i)).add(1f)); // sigmoid
      // s + x s (1 - s)
      FloatVector slope = v.mul(s).mul(s.neg().add(1f)).add(s);
      slope.mul(FloatVector.fromArray(S, dy, dyOff + i)).intoArray(dx, dxOff + i);
    }
    for (int i = bound; i < n; i++) {
      dx[dxOff + i] = swishSlope(x[xOff + i]) * dy[dyOff + i];
    }
  }

  @Override
  public void geluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    requireDistinct(x, xOff, dx, dxOff, n, "geluBackward");
    requireDistinct(dy, dyOff, dx, dxOff, n, "geluBackward");
    int bound = S.loopBound(n);
    halfNegativeSquares(bound, x, xOff, dx, dxOff);
    exponentiate(bound, dx, dxOff, 1f, 0f, dx, dxOff);
    geluFromGaussian(bound, x, xOff, dy, dyOff, dx, dxOff);
    for (int i = bound; i < n; i++) {
      dx[dxOff + i] = geluLane(x[xOff + i], dy[dyOff + i], true);
    }
  }

  // ------------------------------------------------------- one lane, for the tails
  // Each method below (with FloatMath's exp, sigmoid and tanh) is one lane of the vector passes
  // above, in the same IEEE 754 operations in the same order (a.fma(b, c) is Math.fma(a, b, c);
  // blend(w, m) is m ? w : this; exponentiate's x * 1 - 0 is x), so an element past a range's last
  // full vector gets the bits it would get in a lane, and a sample's values do not depend on where
  // it lies in the batch (the scalar twin's double-precision Math functions differed in the last
  // bit: a 37-wide sigmoid layer gave other bits for 1,379 of 22,200 elements alone than in a batch
  // of 3). VectorElementwiseTest checks every one against the lanes.

  /** {@link #expMinusOne}'s lane, given {@code e = e^x}. */
  private static float expMinusOneLane(float x, float e) {
    float p = Math.fma(EXP_P0, x, EXP_P1);
    p = Math.fma(p, x, EXP_P2);
    p = Math.fma(p, x, EXP_P3);
    p = Math.fma(p, x, EXP_P4);
    p = Math.fma(p, x, EXP_P5);
    float series = p * (x * x) + x;
    return Math.abs(x) < EXPM1_SERIES_BOUND ? series : e - 1f;
  }

  private static float eluLane(float x, float alpha) {
    float e = expMinusOneLane(x, FloatMath.exp(x));
    return x > 0f ? x : e * alpha;
  }

  private static float seluLane(float x) {
    float e = expMinusOneLane(x, FloatMath.exp(x));
    return x > 0f ? x * SELU_SCALE : e * SELU_SCALE_ALPHA;
  }

  private static float swishLane(float x) {
    return x * FloatMath.sigmoid(x);
  }

  /** {@link #geluFromGaussian}'s lane: x Phi(x), or (Phi(x) + x phi(x)) dy for the gradient. */
  private static float geluLane(float x, float dy, boolean gradient) {
    float e = FloatMath.exp(x * x * -0.5f);
    float square = x * x;
    float squareError = Math.fma(x, x, -square);
    float gauss = e * Math.fma(squareError, -0.5f, 1f);
    float t = 1f / Math.fma(Math.abs(x), ERFC_P_X, 1f);
    float poly = E10;
    poly = Math.fma(poly, t, E9);
    poly = Math.fma(poly, t, E8);
    poly = Math.fma(poly, t, E7);
    poly = Math.fma(poly, t, E6);
    poly = Math.fma(poly, t, E5);
    poly = Math.fma(poly, t, E4);
    poly = Math.fma(poly, t, E3);
    poly = Math.fma(poly, t, E2);
    poly = Math.fma(poly, t, E1);
    poly = Math.fma(poly, t, E0);
    float halfErfc = t * poly * gauss * 0.5f;
    float cdf = x < 0f ? halfErfc : -halfErfc + 1f;
    return gradient ? Math.fma(x * gauss, INV_SQRT_2PI, cdf) * dy : x * cdf;
  }

  /** sigmoid(2u) for tanh-GELU, 2u = x (K0 + K1 x^2). */
  private static float geluTanhSigmoid(float x) {
    return FloatMath.sigmoid(Math.fma(x * x, GELU_TANH_K1, GELU_TANH_K0) * x);
  }

  private static float geluTanhLane(float x) {
    return x * geluTanhSigmoid(x);
  }

  private static float eluSlope(float x, float alpha, float dy) {
    float negative = FloatMath.exp(x) * alpha * dy;
    return x > 0f ? dy : negative;
  }

  private static float seluSlope(float x) {
    float e = FloatMath.exp(x);
    return x > 0f ? SELU_SCALE : e * SELU_SCALE_ALPHA;
  }

  private static float swishSlope(float x) {
    float s = FloatMath.sigmoid(x);
    return x * s * (-s + 1f) + s;
  }

  private static float geluTanhSlope(float x) {
    float s = geluTanhSigmoid(x);
    float twoUPrime = Math.fma(x * x, 3f * GELU_TANH_K1, GELU_TANH_K0);
    return Math.fma(x * s * (-s + 1f), twoUPrime, s);
  }

  /**
   * The kernels that write their output before they have read all of their input (a pass into the
   * output, then {@link #exponentiate} in place, then a pass that reads the input again) need the
   * two to be distinct regions, as {@link Elementwise} states: this makes a caller that breaks it
   * fail loudly instead of computing from its own partial results.
   */
  private static void requireDistinct(float[] in, int inOff, float[] out, int outOff, int n, String kernel) {
    if (in == out && inOff < outOff + n && outOff < inOff + n && n > 0) {
      throw new IllegalArgumentException(kernel + ": input [" + inOff + ", " + (inOff + n) + ") and output ["
          + outOff + ", " + (outOff + n) + ") overlap in one array");
    }
  }

  /** {@code out = -x^2 / 2} over the first {@code bound} elements: the exact GELU's exponent. */
  private static void halfNegativeSquares(int bound, float[] x, int xOff, float[] out, int outOff) {
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      v.mul(v).mul(-0.5f).intoArray(out, outOff + i);
    }
  }

  /**
   * The exact GELU over the first {@code bound} (a multiple of L) elements, {@code out} holding
   * {@code e^(-x^2 / 2)} on entry: {@code out = x Phi(x)} when {@code dy} is null, else {@code out
   * = (Phi(x) + x phi(x)) dy}. One loop for both, so the
   * erfc approximation is written once: the vector code lives in this method's body, never behind
   * a helper that takes or returns a vector. (C2 stops inlining a helper once the helper has its
   * own compiled code larger than {@code -XX:InlineSmallCode}, and every vector crossing the call
   * is then boxed.) The null test is loop-invariant: C2 unswitches it.
   */
  private static void geluFromGaussian(int bound, float[] x, int xOff, float[] dy, int dyOff,
      float[] out, int outOff) {
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      // exp(-x^2 / 2), with the rounding error of x^2 recovered by an fma and applied to first
      // order, so it keeps float accuracy even where x^2 is large.
      FloatVector square = v.mul(v);
      FloatVector squareError = v.fma(v, square.neg());
      FloatVector gauss = EXACT.cast(FloatVector.fromArray(S, out, outOff + i)).mul(squareError.fma(-0.5f, 1f));
      // erfc(|x| / sqrt 2) from gauss; see Gaussian.
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
      FloatVector halfErfc = t.mul(poly).mul(gauss).mul(0.5f);
      FloatVector cdf = halfErfc.neg().add(1f).blend(halfErfc, v.compare(VectorOperators.LT, 0f));
      if (dy == null) {
        v.mul(cdf).intoArray(out, outOff + i);
      } else {
        // Phi(x) + x phi(x)
        FloatVector slope = v.mul(gauss).fma(FloatVector.broadcast(S, INV_SQRT_2PI), cdf);
        slope.mul(FloatVector.fromArray(S, dy, dyOff + i)).intoArray(out, outOff + i);
      }
    }
  }

  @Override
  public void geluTanhBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy,
      int dyOff, float[] dx, int dxOff) {
    requireDistinct(x, xOff, dx, dxOff, n, "geluTanhBackward");
    requireDistinct(dy, dyOff, dx, dxOff, n, "geluTanhBackward");
    int bound = S.loopBound(n);
    geluTanhArguments(bound, x, xOff, dx, dxOff);
    exponentiate(bound, dx, dxOff, -1f, 0f, dx, dxOff);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector square = v.mul(v);
      FloatVector one = EXACT.cast(FloatVector.broadcast(S, 1f));
      FloatVector s = one.div(EXACT.cast(FloatVector.fromArray(S, dx, dxOff + i)).add(1f)); // sigmoid(2u)
      // s + x s (1 - s) (2u)', with (2u)' = K0 + 3 K1 x^2
      FloatVector twoUPrime = square.fma(3f * GELU_TANH_K1, GELU_TANH_K0);
      FloatVector slope = v.mul(s).mul(s.neg().add(1f)).fma(twoUPrime, s);
      slope.mul(FloatVector.fromArray(S, dy, dyOff + i)).intoArray(dx, dxOff + i);
    }
    for (int i = bound; i < n; i++) {
      dx[dxOff + i] = geluTanhSlope(x[xOff + i]) * dy[dyOff + i];
    }
  }

  /** {@code out = 2u = x (K0 + K1 x^2)} over the first {@code bound} elements: tanh-GELU's argument. */
  private static void geluTanhArguments(int bound, float[] x, int xOff, float[] out, int outOff) {
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      v.mul(v).fma(GELU_TANH_K1, GELU_TANH_K0).mul(v).intoArray(out, outOff + i);
    }
  }

  /**
   * {@code y = e^x - 1} over the first {@code bound} elements, {@code y} holding e^x on entry:
   * where |x| is below 0.3465 (ln 2 / 2), {@code x + x^2 P(x)} with exp's own polynomial instead,
   * which does not cancel (Cephes' expm1f).
   */
  private static void expMinusOne(int bound, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < bound; i += L) {
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, xOff + i));
      FloatVector p = EXACT.cast(EXACT.cast(FloatVector.broadcast(S, EXP_P0))
          .fma(v, EXACT.cast(FloatVector.broadcast(S, EXP_P1))));
      p = EXACT.cast(p.fma(v, EXACT.cast(FloatVector.broadcast(S, EXP_P2))));
      p = EXACT.cast(p.fma(v, EXACT.cast(FloatVector.broadcast(S, EXP_P3))));
      p = EXACT.cast(p.fma(v, EXACT.cast(FloatVector.broadcast(S, EXP_P4))));
      p = EXACT.cast(p.fma(v, EXACT.cast(FloatVector.broadcast(S, EXP_P5))));
      FloatVector series = EXACT.cast(p.mul(v.mul(v)).add(v));
      EXACT.cast(FloatVector.fromArray(S, y, yOff + i)).sub(1f)
          .blend(series, v.abs().compare(VectorOperators.LT, EXPM1_SERIES_BOUND)).intoArray(y, yOff + i);
    }
  }

  // ---------------------------------------------------------------- softmax

  @Override
  public void compileVectorTwins() {
    NARROW_SOFTMAX.warmUpNowIfUsed();
  }

  @Override
  public void softmax(int rows, int cols, float invTemperature, float[] x, int xOff,
      float[] y, int yOff) {
    int bound = S.loopBound(cols);
    if (bound == 0) {
      // Rows narrower than a vector (Iris's 3 classes, Fashion's 10, a 13-token step): per-row
      // vectors would only reduce empty accumulators, which cost boxed vectors whenever this
      // method runs outside C2 (a step stuck at C1's tier 2 allocated 192 bytes a call).
      int values = rows * cols;
      if (values >= NARROW_SOFTMAX_MIN_VALUES
          || values >= GATED_NARROW_SOFTMAX_MIN_VALUES && NARROW_SOFTMAX.vectorReady()) {
        narrowSoftmax(rows, cols, invTemperature, x, xOff, y, yOff);
      } else {
        SCALAR.softmax(rows, cols, invTemperature, x, xOff, y, yOff);
      }
      return;
    }
    for (int r = 0; r < rows; r++) {
      int xr = xOff + r * cols;
      int yr = yOff + r * cols;
      FloatVector vmax = EXACT.cast(FloatVector.broadcast(S, Float.NEGATIVE_INFINITY));
      int j = 0;
      for (; j < bound; j += L) {
        vmax = EXACT.cast(vmax).max(EXACT.cast(FloatVector.fromArray(S, x, xr + j)).mul(invTemperature));
      }
      float max = EXACT.cast(vmax).reduceLanes(VectorOperators.MAX);
      for (; j < cols; j++) {
        max = Math.max(max, x[xr + j] * invTemperature);
      }
      exponentiate(bound, x, xr, invTemperature, max, y, yr);
      float sum = sumOfVectors(bound, y, yr);
      for (j = bound; j < cols; j++) {
        float e = FloatMath.exp(x[xr + j] * invTemperature - max);
        y[yr + j] = e;
        sum += e;
      }
      float inv = 1f / sum;
      for (j = 0; j < bound; j += L) {
        EXACT.cast(FloatVector.fromArray(S, y, yr + j)).mul(inv).intoArray(y, yr + j);
      }
      for (; j < cols; j++) {
        y[yr + j] *= inv;
      }
    }
  }

  /**
   * Values a block of narrow rows must hold before {@link #narrowSoftmax} runs it from the first
   * call: below this (Iris's 120 x 3) a fit can be over before C2 has compiled the vector pass,
   * whose interpreted and C1 forms run far slower than the scalar rows (Iris's first fit 0.8 s
   * against 0.3 with it), so smaller blocks wait for {@link #NARROW_SOFTMAX}.
   */
  static final int NARROW_SOFTMAX_MIN_VALUES = 512;

  /** Smaller blocks (a batch-1 row) stay scalar: one vector or less of exponentials. */
  static final int GATED_NARROW_SOFTMAX_MIN_VALUES = 4 * L;

  /**
   * {@link #narrowSoftmax} for blocks under {@link #NARROW_SOFTMAX_MIN_VALUES} once C2 has
   * compiled it ({@link VectorTwinGate}), the scalar rows until then. The warm-up's problems:
   * Iris's 120 x 3 and a 24 x 10 block (a vector tail of scalar exponentials).
   */
  static final VectorTwinGate NARROW_SOFTMAX = new VectorTwinGate("narrow-softmax", 2,
      probe -> softmaxProbe(probe, true), probe -> softmaxProbe(probe, false));
  private static final float[] SOFTMAX_PROBE_X = new float[360];
  private static final float[] SOFTMAX_PROBE_Y = new float[360];

  private static void softmaxProbe(int probe, boolean vector) {
    int rows = probe % 2 == 0 ? 120 : 24;
    int cols = probe % 2 == 0 ? 3 : 10;
    if (vector) {
      narrowSoftmax(rows, cols, 1f, SOFTMAX_PROBE_X, 0, SOFTMAX_PROBE_Y, 0);
    } else {
      SCALAR.softmax(rows, cols, 1f, SOFTMAX_PROBE_X, 0, SOFTMAX_PROBE_Y, 0);
    }
  }


  /**
   * Softmax of rows narrower than a vector, the block's exponentials as one vector pass across
   * rows: each row's {@code x invT - max} is staged in y, exponentiated in place (z * 1 - 0 is z:
   * the lanes' operations on the same z), then each row is summed and scaled as {@link
   * ScalarElementwise#softmax} does, in float in column order: that twin's bits. W3's 256 x 10
   * output: 35 us as scalar rows (FloatMath.exp's dependent chain per element). The sum and scale
   * were in double until C2's code for them was read: each {@code vcvtss2sd xmm1, xmm1, mem}
   * keeps xmm1's upper bits, so every element of the block waited for the one before (a false
   * dependency); in float, 256 x 10 went 15.5 -> 5.2 us, 120 x 3 2.6 -> 1.4. y may be exactly x.
   */
  private static void narrowSoftmax(int rows, int cols, float invTemperature, float[] x, int xOff,
      float[] y, int yOff) {
    for (int r = 0; r < rows; r++) {
      int xr = xOff + r * cols;
      int yr = yOff + r * cols;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        max = Math.max(max, x[xr + j] * invTemperature);
      }
      for (int j = 0; j < cols; j++) {
        y[yr + j] = x[xr + j] * invTemperature - max;
      }
    }
    int total = rows * cols;
    int vectorBound = S.loopBound(total);
    exponentiate(vectorBound, y, yOff, 1f, 0f, y, yOff);
    for (int i = yOff + vectorBound; i < yOff + total; i++) {
      y[i] = FloatMath.exp(y[i]);
    }
    for (int r = 0; r < rows; r++) {
      int yr = yOff + r * cols;
      float sum = 0;
      for (int j = 0; j < cols; j++) {
        sum += y[yr + j];
      }
      float inv = 1f / sum;
      for (int j = 0; j < cols; j++) {
        y[yr + j] *= inv;
      }
    }
  }

  /**
   * {@code y = e^(x scale - shift)} over the first {@code bound} elements (a multiple of L; y may be
   * exactly x): softmax's exponentials, and every other kernel's e^x. e^z is built
   * from lane operations IEEE 754 defines exactly (Cephes' single-precision exp: z = k ln 2 + r,
   * a degree-5 polynomial in r by fma, 2^k as two exponent-field factors so that it underflows
   * and overflows as the true value does; within 1 ulp of Math's): {@code lanewise(EXP)} is an
   * SVML call in C2 but {@code Math.exp} per lane in the interpreter's and C1's fallbacks, so a
   * fit's first steps (run in the fallbacks) gave other bits than the same steps compiled, and the
   * same seed trained to different parameters from one JVM to the next (W6; {@code
   * JitIndependenceTest}). Nothing else in this loop: with softmax's sum in it as well, C2 ran out
   * of inlining budget for the vector calls without type profiles and boxed them.
   */
  static void exponentiate(int bound, float[] x, int xr, float scale, float shift, float[] y,
      int yr) {
    for (int j = 0; j < bound; j += L) {
      // Below -104 e^z is 0 anyway, above 89 infinite; min and max keep NaN.
      FloatVector z = EXACT.cast(EXACT.cast(EXACT.cast(FloatVector.fromArray(S, x, xr + j)).mul(scale).sub(shift)
          .max(FloatMath.MIN_ARGUMENT)).min(FloatMath.MAX_ARGUMENT));
      FloatVector t = EXACT.cast(z.fma(LOG2E, ROUNDER)); // k = round(z / ln 2) in t's low bits
      FloatVector k = EXACT.cast(t.sub(ROUNDER));
      FloatVector r = EXACT.cast(z.sub(k.mul(LN2_HIGH))); // k ln2_high is exact
      r = EXACT.cast(k.fma(EXACT.cast(FloatVector.broadcast(S, -LN2_LOW)), r));
      FloatVector p = EXACT.cast(EXACT.cast(FloatVector.broadcast(S, EXP_P0))
          .fma(r, EXACT.cast(FloatVector.broadcast(S, EXP_P1))));
      p = EXACT.cast(p.fma(r, EXACT.cast(FloatVector.broadcast(S, EXP_P2))));
      p = EXACT.cast(p.fma(r, EXACT.cast(FloatVector.broadcast(S, EXP_P3))));
      p = EXACT.cast(p.fma(r, EXACT.cast(FloatVector.broadcast(S, EXP_P4))));
      p = EXACT.cast(p.fma(r, EXACT.cast(FloatVector.broadcast(S, EXP_P5))));
      FloatVector er = EXACT.cast(p.mul(r.mul(r)).add(r).add(1f)); // e^r
      // 2^k for k in [-150, 128] as 2^(k/2) 2^(k - k/2): each factor a normal float.
      IntVector exponent = INT_EXACT.cast(INT_EXACT.cast(t.reinterpretAsInts()).sub(ROUNDER_BITS));
      IntVector half = INT_EXACT.cast(exponent.lanewise(VectorOperators.ASHR, 1));
      FloatVector scale1 = EXACT.cast(half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
      FloatVector scale2 = EXACT.cast(exponent.sub(half).add(127).lanewise(VectorOperators.LSHL, 23)
          .reinterpretAsFloats());
      er.mul(scale1).mul(scale2).intoArray(y, yr + j);
    }
  }

  /**
   * The sum of {@code y}'s first {@code bound} elements in a fixed order (vector by vector, then
   * {@link VectorGemm#sumLanes}): {@code reduceLanes(ADD)} adds in another order compiled than in
   * the fallbacks.
   */
  private static float sumOfVectors(int bound, float[] y, int yr) {
    FloatVector vsum = EXACT.cast(FloatVector.zero(S));
    for (int j = 0; j < bound; j += L) {
      vsum = EXACT.cast(vsum).add(EXACT.cast(FloatVector.fromArray(S, y, yr + j)));
    }
    return VectorGemm.sumLanes(EXACT.cast(vsum));
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
        vdot = EXACT.cast(FloatVector.fromArray(S, dy, gr + j)).fma(FloatVector.fromArray(S, y, yr + j), vdot);
      }
      float dot = VectorGemm.sumLanes(EXACT.cast(vdot));
      for (; j < cols; j++) {
        dot += dy[gr + j] * y[yr + j];
      }
      for (j = 0; j < bound; j += L) {
        FloatVector s = EXACT.cast(FloatVector.fromArray(S, y, yr + j));
        EXACT.cast(FloatVector.fromArray(S, dy, gr + j)).sub(dot).mul(s).mul(invTemperature).intoArray(dx, dr + j);
      }
      for (; j < cols; j++) {
        dx[dr + j] = invTemperature * y[yr + j] * (dy[gr + j] - dot);
      }
    }
  }
}
