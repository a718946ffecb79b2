package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.junit.jupiter.api.Test;

class CompileUnitsTest {
  private static final MethodType UNARY = MethodType.methodType(int.class, int.class);

  private static int twice(int x) {
    return 2 * x;
  }

  private static int refuseNegative(int x) {
    if (x < 0) {
      throw new IllegalArgumentException("negative: " + x);
    }
    return x;
  }

  @Test
  void handlesCallTheNamedMethodsInOrder() throws Throwable {
    MethodHandle[] handles = CompileUnits.staticMethods(MethodHandles.lookup(), "refuseNegative", UNARY, "twice", UNARY);
    assertEquals(2, handles.length);
    assertEquals(7, (int) handles[0].invokeExact(7));
    assertEquals(14, (int) handles[1].invokeExact(7));
  }

  @Test
  void aMissingMethodIsNamed() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> CompileUnits.staticMethods(MethodHandles.lookup(), "thrice", UNARY));
    assertTrue(e.getMessage().contains("thrice(int)int"), e.getMessage());
    assertTrue(e.getMessage().contains(CompileUnitsTest.class.getName()), e.getMessage());
  }

  @Test
  void uncheckedExceptionsPassUnchangedAndCheckedOnesAreWrapped() {
    IllegalArgumentException unchecked = new IllegalArgumentException("bad shape");
    assertSame(unchecked, CompileUnits.rethrow(unchecked));
    AssertionError error = new AssertionError("broken");
    assertSame(error, assertThrows(AssertionError.class, () -> CompileUnits.rethrow(error)));
    IOException checked = new IOException("disk");
    RuntimeException wrapped = CompileUnits.rethrow(checked);
    assertSame(checked, wrapped.getCause());
  }

  @Test
  void aKernelsExceptionReachesTheCallerAsItWasThrown() {
    Gemm gemm = new VectorGemm();
    float[] a = new float[4 * 64];
    float[] b = new float[64 * 32];
    float[] tooShort = new float[4 * 32 - 1];
    assertThrows(IndexOutOfBoundsException.class,
        () -> gemm.gemm(4, 32, 64, a, 0, 64, b, 0, 32, tooShort, 0, 32, false));
  }

  @Test
  void eachEntryComputesItsProductBehindTheBoundary() {
    Gemm gemm = new VectorGemm();
    // [1 2; 3 4] times [5 6; 7 8], and the same with each operand stored transposed.
    float[] a = {1, 2, 3, 4};
    float[] aTransposed = {1, 3, 2, 4};
    float[] b = {5, 6, 7, 8};
    float[] bTransposed = {5, 7, 6, 8};
    float[] expected = {19, 22, 43, 50};
    float[] c = new float[4];
    gemm.gemm(2, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2, false);
    assertArrayEquals(expected, c);
    gemm.gemmTransA(2, 2, 2, aTransposed, 0, 2, b, 0, 2, c, 0, 2, false);
    assertArrayEquals(expected, c);
    gemm.gemmTransB(2, 2, 2, a, 0, 2, bTransposed, 0, 2, c, 0, 2, false);
    assertArrayEquals(expected, c);
    float[] row = new float[2];
    gemm.rowTimesMatrixSkippingZeros(2, 2, new float[] {0, 2}, 0, b, 0, 2, row, 0, new int[2]);
    assertArrayEquals(new float[] {14, 16}, row);
  }
}
