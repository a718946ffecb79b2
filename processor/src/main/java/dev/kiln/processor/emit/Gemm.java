package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;

/**
 * The matrix-product calls of generated code, written in one place: C[m x n] (+)= op(A) op(B) with
 * row-major operands given as (array, offset).
 */
public final class Gemm {
  private Gemm() {}

  /** {@code C = A B}, A [m x k], B [k x n]. */
  public static CodeBlock gemm(String m, String n, String k, String a, String aOff, String b, String bOff,
      String c, String cOff, boolean accumulate) {
    return CodeBlock.of("K.gemm($L, $L, $L, $L, $L, $L, $L, $L, $L, $L);\n", m, n, k, a, aOff, b, bOff, c, cOff,
        accumulate);
  }

  /** {@code C = A^T B}, A stored [k x m], B [k x n]. */
  public static CodeBlock gemmTransA(String m, String n, String k, String a, String aOff, String b, String bOff,
      String c, String cOff, boolean accumulate) {
    return CodeBlock.of("K.gemmTransA($L, $L, $L, $L, $L, $L, $L, $L, $L, $L);\n", m, n, k, a, aOff, b, bOff, c, cOff,
        accumulate);
  }

  /** {@code C = A B^T}, A [m x k], B stored [n x k]. */
  public static CodeBlock gemmTransB(String m, String n, String k, String a, String aOff, String b, String bOff,
      String c, String cOff, boolean accumulate) {
    return CodeBlock.of("K.gemmTransB($L, $L, $L, $L, $L, $L, $L, $L, $L, $L);\n", m, n, k, a, aOff, b, bOff, c, cOff,
        accumulate);
  }
}
