package dev.kiln.runtime.kernels;

/**
 * The float functions every kernel that exponentiates uses, as plain float operations: one lane of
 * {@code VectorElementwise}'s vector code, so scalar code (tails, narrow softmax rows, recurrent
 * gates) gets the bits a lane would, compiled or interpreted, with or without the Vector API.
 *
 * <p>{@link #exp} is Cephes' single-precision exponential ({@code expf}): z = k ln 2 + r with k =
 * round(z / ln 2), e^r as a degree-5 polynomial in r by fma, 2^k as two exponent-field factors so
 * that it underflows and overflows as the true value does; within 1 ulp of {@code Math.exp}. Every
 * step is an IEEE 754 operation with one defined result. It is also 3.5x faster than {@code
 * Math.exp}, whose intrinsic took 14 ns an element here (AMD EPYC, JDK 17) against 4.
 * {@link #tanh} is Cephes' tanhf over it, {@link #sigmoid} 1 / (1 + e^-x).
 */
final class FloatMath {
  static final float LOG2E = 1.44269504088896341f;
  /** 1.5 * 2^23: adding it rounds a float under 2^22 in magnitude to an integer, kept in the low bits. */
  static final float ROUNDER = 12582912f;
  static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
  static final float LN2_HIGH = 0.693359375f;
  static final float LN2_LOW = -2.12194440e-4f;
  static final float P0 = 1.9875691500e-4f;
  static final float P1 = 1.3981999507e-3f;
  static final float P2 = 8.3334519073e-3f;
  static final float P3 = 4.1665795894e-2f;
  static final float P4 = 1.6666665459e-1f;
  static final float P5 = 5.0000001201e-1f;
  /** Below, e^z is 0 in float; above, infinite. The clamp keeps k's two factors normal. */
  static final float MIN_ARGUMENT = -104f;
  static final float MAX_ARGUMENT = 89f;

  /** tanh(x) = x + x^3 T(x^2) below {@link #TANH_SERIES_BOUND} (Cephes' tanhf). */
  static final float TANH_T0 = -5.70498872745e-3f;
  static final float TANH_T1 = 2.06390887954e-2f;
  static final float TANH_T2 = -5.37397155531e-2f;
  static final float TANH_T3 = 1.33314422036e-1f;
  static final float TANH_T4 = -3.33332819422e-1f;
  static final float TANH_SERIES_BOUND = 0.625f;

  private FloatMath() {
  }

  /** e^z, in the same operations and order as one lane of the vector kernel. NaN gives NaN. */
  static float exp(float z) {
    // Comparisons, not Math.max/min: the same value for every z (NaN fails both and stays NaN; the
    // bounds are far from the signed zeros), without the NaN-blend sequences C2 emits for those
    // (a softmax block's scalar exponentials: 5.2 -> 3.9 ns an element).
    float clamped = z < MIN_ARGUMENT ? MIN_ARGUMENT : z > MAX_ARGUMENT ? MAX_ARGUMENT : z;
    float t = Math.fma(clamped, LOG2E, ROUNDER);
    float k = t - ROUNDER;
    float r = clamped - k * LN2_HIGH;
    r = Math.fma(k, -LN2_LOW, r);
    float p = Math.fma(P0, r, P1);
    p = Math.fma(p, r, P2);
    p = Math.fma(p, r, P3);
    p = Math.fma(p, r, P4);
    p = Math.fma(p, r, P5);
    float er = p * (r * r) + r + 1f;
    int exponent = Float.floatToRawIntBits(t) - ROUNDER_BITS;
    int half = exponent >> 1;
    float scale1 = Float.intBitsToFloat((half + 127) << 23);
    float scale2 = Float.intBitsToFloat((exponent - half + 127) << 23);
    return er * scale1 * scale2;
  }

  /** 1 / (1 + e^-x): e^-x overflows to infinity below about -88, giving 0, never NaN. */
  static float sigmoid(float x) {
    return 1f / (exp(-x) + 1f);
  }

  /**
   * Cephes' tanhf: {@code x + x^3 T(x^2)} below |x| = 0.625, else {@code (1 - e) / (1 + e)} with
   * {@code e = e^(-2|x|)} and x's sign (e <= 0.29 there: no cancellation); -0 stays -0.
   */
  static float tanh(float x) {
    float e = exp(Math.abs(x) * -2f);
    float large = (1f - e) / (e + 1f);
    large = x < 0f ? -large : large;
    float z = x * x;
    float t = Math.fma(TANH_T0, z, TANH_T1);
    t = Math.fma(t, z, TANH_T2);
    t = Math.fma(t, z, TANH_T3);
    t = Math.fma(t, z, TANH_T4);
    float small = Math.fma(t * z, x, x);
    small = x == 0f ? x : small;
    return Math.abs(x) < TANH_SERIES_BOUND ? small : large;
  }
}
