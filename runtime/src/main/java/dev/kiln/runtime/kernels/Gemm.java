package dev.kiln.runtime.kernels;

/**
 * Matrix products, the kernels that dominate a network's time, with one calling convention.
 *
 * <p>Every matrix is row-major and given as an array, an element offset and a leading dimension
 * (the row stride, {@code lda}, {@code ldb}, {@code ldc}), which may exceed the logical width: a
 * time step of a sequence, a gate block of a fused weight matrix, or a column slice of a
 * concatenated activation is then a view into a larger array, never a copy. Dense operands pass
 * their width ({@code lda = k} for {@code gemm}, and so on).
 *
 * <ul>
 *   <li>{@code accumulate = true} adds into C; {@code false} overwrites it (its previous
 *       contents, even NaN, are ignored).</li>
 *   <li>C must not overlap A or B.</li>
 *   <li>Implementations are stateless or use per-thread scratch: safe to call from many threads.</li>
 * </ul>
 *
 * <p>Code calls {@link #ACTIVE}, which {@link KernelSelector} binds once at class initialization:
 * the Vector API implementation when {@code jdk.incubator.vector} is in the boot layer, else the
 * plain-Java one, wrapped in {@link ThreadedGemm} on machines with more than one processor. The
 * field is a constant, so after warm-up the JIT sees a single receiver type.
 */
public interface Gemm {

  /** The implementation chosen for this JVM: vectorized when the Vector API is available. */
  Gemm ACTIVE = KernelSelector.selectGemm();

  /** Human-readable name, e.g. {@code "Vector API, 16 float lanes (512-bit)"} or {@code "scalar"}. */
  String description();

  /**
   * {@code C[m x n] (+)= A[m x k] * B[k x n]}; element {@code (i, j)} of A is
   * {@code a[aOff + i * lda + j]}, and likewise for B and C.
   */
  void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate);

  /**
   * {@code C[m x n] (+)= A^T * B} where A is stored {@code [k x m]} (row stride {@code lda >= m})
   * and B is {@code [k x n]} (weight gradient {@code dW = X^T dZ}).
   */
  void gemmTransA(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate);

  /**
   * {@code C[m x n] (+)= A * B^T} where A is {@code [m x k]} and B is stored {@code [n x k]}
   * (row stride {@code ldb >= k}; input gradient {@code dX = dZ W^T} with W stored {@code [in x out]}).
   */
  void gemmTransB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate);

  /**
   * Batch-1 {@code c[n] = a[k] B[k x n]} (not accumulating) reading only the rows of B where
   * {@code a} is not zero: a ReLU's output or an image's background leaves half the rows
   * unread. Each element of C is {@link #gemm}'s chain (m = 1) with the zero terms left out, and
   * C's chains start at +0 and never reach -0, so adding +-0 changes nothing: the same bits as
   * {@code gemm(1, n, k, a, aOff, k, b, bOff, ldb, c, cOff, n, false)} whenever B's rows at a's
   * zeros are finite (0 x infinity is NaN; the caller vouches). {@code nonzeroRows} is scratch of
   * at least k ints.
   */
  void rowTimesMatrixSkippingZeros(int n, int k, float[] a, int aOff, float[] b, int bOff, int ldb,
      float[] c, int cOff, int[] nonzeroRows);

  /**
   * {@code C (+)= A B} with B in bfloat16 as this implementation's {@link #packBf16} wrote it ({@code
   * k x n}, {@code bOff} and {@code ldb} the offset and row stride given to it), A [m x k] and C
   * float32: each element of C is the chain of fmas in K order that {@link #gemm} computes, over
   * B's values widened to float32, so the result equals {@code gemm} over those float32 values bit
   * for bit. It reads half the bytes of B: for batch-1 serving, whose time goes to streaming the
   * weights.
   */
  void gemmBf16(int m, int n, int k, float[] a, int aOff, int lda, short[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate);

  /**
   * Rounds the {@code rows x cols} float32 matrix at {@code offset} (row stride {@code ld}) to
   * bfloat16 ({@link BFloat16#fromFloat}) into {@code dst} within the same extent ({@code offset} to
   * {@code offset + (rows - 1) * ld + cols}), in the order {@link #gemmBf16} reads the values:
   * row-major for the scalar products; for the Vector API's, column groups one after another, each
   * read as one stream, with columns in pairs so that one load gives two vectors.
   */
  void packBf16(int rows, int cols, float[] src, int offset, int ld, short[] dst);

  /**
   * Compiles, on the caller's thread, the vector twins of this implementation's small-shape
   * kernels that have run since the JVM started, and switches them on (their results are the
   * scalar twins' bits): until then they stay scalar, unless {@code -Dkiln.vectorWarmUp=background}
   * starts a thread to do so two seconds after their first call. {@code ModelCore.warmUp} calls
   * it. Nothing for scalar kernels. (Not a default method: an interface with one is initialized
   * with its implementing class, and this one's {@code ACTIVE} would then instantiate the vector
   * class while it is still initializing.)
   */
  void compileVectorTwins();
}
