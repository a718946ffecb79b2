package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;

/**
 * The matrix-product calls of generated code, written in one place: C[m x n] (+)= op(A) op(B) on
 * row-major operands given as (array, offset, leading dimension), through the Program's
 * {@code GEMM} constant.
 */
public final class GemmCalls {
  private GemmCalls() {}

  /** An operand: array, offset and leading dimension (row stride). */
  public record Operand(String array, String offset, String stride) {}

  public static Operand of(String array, String offset, String stride) {
    return new Operand(array, offset, stride);
  }

  /** {@code C = A B}, A [m x k], B [k x n]. */
  public static CodeBlock gemm(String m, String n, String k, Operand a, Operand b, Operand c, boolean accumulate) {
    return call("gemm", m, n, k, a, b, c, accumulate);
  }

  /** {@code C = A^T B}, A stored [k x m], B [k x n]. */
  public static CodeBlock gemmTransA(String m, String n, String k, Operand a, Operand b, Operand c, boolean accumulate) {
    return call("gemmTransA", m, n, k, a, b, c, accumulate);
  }

  /** {@code C = A B^T}, A [m x k], B stored [n x k]. */
  public static CodeBlock gemmTransB(String m, String n, String k, Operand a, Operand b, Operand c, boolean accumulate) {
    return call("gemmTransB", m, n, k, a, b, c, accumulate);
  }

  private static CodeBlock call(String method, String m, String n, String k, Operand a, Operand b, Operand c,
      boolean accumulate) {
    return CodeBlock.of("GEMM.$L($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L);\n", method, m, n, k,
        a.array(), a.offset(), a.stride(), b.array(), b.offset(), b.stride(), c.array(), c.offset(), c.stride(),
        accumulate);
  }
}
