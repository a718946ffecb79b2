package dev.kiln.runtime.kernels;

/**
 * bfloat16: the high 16 bits of a float32 (sign, the same 8-bit exponent, 7 stored mantissa
 * bits), so widening is a shift and every float32 exponent keeps its range. Kiln stores weights
 * in it for serving ({@code WeightFormat.BFLOAT16}), where a batch-1 product's time is reading the
 * weights; activations and every sum stay float32.
 */
public final class BFloat16 {
  private BFloat16() {}

  /**
   * The nearest bfloat16 (round to nearest, ties to even, as PyTorch's {@code .to(torch.bfloat16)}):
   * values beyond the largest bfloat16 round to infinity, NaN stays NaN (quiet, sign kept).
   */
  public static short fromFloat(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
      return (short) ((bits >>> 16) | 0x0040); // NaN: keep it a NaN even if its payload is all low bits
    }
    int lsb = (bits >>> 16) & 1;
    return (short) ((bits + 0x7FFF + lsb) >>> 16);
  }

  /** The float32 a bfloat16 stands for (exact). */
  public static float toFloat(short value) {
    return Float.intBitsToFloat(value << 16);
  }

  /** {@code value} rounded to the nearest bfloat16, as a float32. */
  public static float round(float value) {
    return toFloat(fromFloat(value));
  }
}
