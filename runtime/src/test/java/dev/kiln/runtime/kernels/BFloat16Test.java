package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Rounding to bfloat16, against values worked out by hand from the float32 bit patterns. */
class BFloat16Test {
  private static int bits(short value) {
    return value & 0xFFFF;
  }

  @Test
  void keepsTheHighHalfOfExactValues() {
    assertEquals(0x3F80, bits(BFloat16.fromFloat(1f)));
    assertEquals(0xC000, bits(BFloat16.fromFloat(-2f)));
    assertEquals(0x0000, bits(BFloat16.fromFloat(0f)));
    assertEquals(0x8000, bits(BFloat16.fromFloat(-0f)));
    assertEquals(0x7F80, bits(BFloat16.fromFloat(Float.POSITIVE_INFINITY)));
    assertEquals(0xFF80, bits(BFloat16.fromFloat(Float.NEGATIVE_INFINITY)));
    assertEquals(1.5f, BFloat16.toFloat(BFloat16.fromFloat(1.5f)));
  }

  @Test
  void roundsToNearestAndTiesToEven() {
    // 1 + 2^-8 lies halfway between 1 (0x3F80, even) and 1 + 2^-7 (0x3F81): the even one.
    assertEquals(0x3F80, bits(BFloat16.fromFloat(1f + 0x1p-8f)));
    // 1 + 3 * 2^-8 lies halfway between 0x3F81 and 0x3F82: the even 0x3F82.
    assertEquals(0x3F82, bits(BFloat16.fromFloat(1f + 3 * 0x1p-8f)));
    // Just above the halfway point rounds up, just below rounds down.
    assertEquals(0x3F81, bits(BFloat16.fromFloat(Math.nextUp(1f + 0x1p-8f))));
    assertEquals(0x3F80, bits(BFloat16.fromFloat(Math.nextDown(1f + 0x1p-8f))));
    // 0.1f = 0x3DCCCCCD: the low half 0xCCCD is above 0x8000, so up to 0x3DCD.
    assertEquals(0x3DCD, bits(BFloat16.fromFloat(0.1f)));
    assertEquals(0x3DCD0000, Float.floatToRawIntBits(BFloat16.round(0.1f)));
  }

  @Test
  void overflowsToInfinityAndKeepsNaN() {
    // The largest float rounds past the largest bfloat16 (0x7F7F) to infinity, as PyTorch's does.
    assertEquals(0x7F80, bits(BFloat16.fromFloat(Float.MAX_VALUE)));
    assertTrue(Float.isNaN(BFloat16.toFloat(BFloat16.fromFloat(Float.NaN))));
    // A NaN whose payload lies only in the low half must not become infinity.
    assertTrue(Float.isNaN(BFloat16.round(Float.intBitsToFloat(0x7F800001))));
    assertTrue(Float.isNaN(BFloat16.round(Float.intBitsToFloat(0xFF800001))));
    assertEquals(0x8000, bits(BFloat16.fromFloat(Float.intBitsToFloat(0xFF800001))) & 0x8000);
  }
}
