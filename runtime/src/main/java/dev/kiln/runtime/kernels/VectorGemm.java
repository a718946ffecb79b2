package dev.kiln.runtime.kernels;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix products on the incubating Vector API ({@code jdk.incubator.vector}), for JDK 17 and later.
 *
 * <p>Why it is built this way (measurements in the project's DESIGN notes, Zen 5 / AVX-512):
 * <ul>
 *   <li>The species is a {@code static final} constant: a non-constant species boxes every
 *       vector and is about 10x slower. Vectors only ever live in locals.</li>
 *   <li>GEMM is a BLIS-style register-tiled micro-kernel, {@value #MR} rows x 3 vectors of
 *       accumulators with {@code fma}, over B packed into contiguous panels, K blocked by
 *       {@value #KC} so the panels stay in cache. Unpacked, untiled loops reach about a seventh of
 *       that speed. Packing B absorbs {@code gemmTransB}'s transpose and B's leading dimension.
 *       A is read in place through a row and a column stride (its transpose in
 *       {@code gemmTransA} is the two strides swapped): the kernel only broadcasts A's elements,
 *       so a packed copy saves nothing, and packing A (a scalar transposing copy) cost 3-4% of a
 *       Fashion-MNIST training step. One micro-kernel serves all three products at any strides.
 *       Measured here (JDK 17, one core, shared machine): the micro-kernel alone runs at ~95% of
 *       the FMA peak measured in the same session, a whole 256x256x784 product at ~84%. With
 *       16 vector registers (AVX2) the 24 accumulators spill; a 4 x 3 tile would suit better.</li>
 *   <li>Edges are padded with zeros in the packed panels and computed into a small scratch tile,
 *       never with masked loads/stores, which are 5-25x slower on JDK 17.</li>
 *   <li>Batch-1 products ({@code m == 1}) skip packing: packing B would cost as much as the
 *       product itself. They stream rows of B into register accumulators. (A transposed
 *       single column is only contiguous when {@code lda == 1}; otherwise it is packed.)</li>
 *   <li>Scratch buffers come from a small pool and grow on demand, so steady-state calls
 *       allocate nothing, whatever the threads, and the products are safe to share between
 *       threads.</li>
 *   <li>Each public entry runs its body through {@link CompileUnits}, a call C2 does not inline:
 *       inlined into a whole network's forward pass, the kernels' vector operations could be left
 *       unexpanded by JDK 17's C2 (its node budget spent), and ran boxed. Small products
 *       ({@link #small}: Iris's, XOR's) call their body directly: they take tens of nanoseconds, and
 *       the handle's call cost XOR's warm fits 1.2-1.5x.</li>
 *   <li>Only the API that has been stable since JDK 16 is used (no byte[]/ByteBuffer/
 *       MemorySegment access), so the same class runs on JDK 17 and JDK 25.</li>
 * </ul>
 * <p>Never referenced directly by code that must run without the module: {@link KernelSelector}
 * instantiates it reflectively, so this class is only linked when the Vector API is present.
 */
final class VectorGemm implements Gemm {

  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  /** The entries' bodies, each its own compilation unit ({@link CompileUnits}), by these indexes. */
  private static final MethodHandle[] UNITS;
  private static final int PRODUCT = 0;
  private static final int PRODUCT_TRANS_A = 1;
  private static final int PRODUCT_TRANS_B = 2;
  private static final int ROW_SKIPPING_ZEROS = 3;
  private static final int PRODUCT_BF16 = 4;

  static {
    MethodType product = MethodType.methodType(void.class, int.class, int.class, int.class, float[].class, int.class,
        int.class, float[].class, int.class, int.class, float[].class, int.class, int.class, boolean.class);
    UNITS = CompileUnits.staticMethods(MethodHandles.lookup(),
        "product", product,
        "productTransA", product,
        "productTransB", product,
        "rowSkippingZeros", MethodType.methodType(void.class, int.class, int.class, float[].class, int.class,
            float[].class, int.class, int.class, float[].class, int.class, int[].class),
        "productBf16", product.changeParameterType(6, short[].class));
  }
  /** Float lanes per vector. */
  private static final int L = S.length();
  /** Rows of the GEMM micro-tile: 8 x 3 = 24 accumulators + 3 B vectors + 1 broadcast fit in 32 registers. */
  static final int MR = 8;
  /** Columns of the GEMM micro-tile (3 vectors). */
  private static final int NR = 3 * L;
  /** K block: one A micro-panel (8 x 256 floats) stays in L1, a B panel in L1/L2. */
  static final int KC = 256;
  /** Row block of A multiplied with each packed B panel while it is hot (128 x 256 floats = 128 KiB, L2-resident). */
  private static final int MC = 128;

  /**
   * Packing buffers, grown on demand and never shrunk, borrowed for one product from an {@link
   * IdlePool} (two per core) and given back. Not a {@code ThreadLocal}: a virtual thread per
   * request (or any short-lived thread) then allocated them anew on its first batched product,
   * 218 KB a request for the MLP at batch 8.
   */
  static final class Scratch {
    static final IdlePool<Scratch> IDLE =
        new IdlePool<>(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));

    float[] packedA = new float[0];
    float[] packedB = new float[0];
    final float[] tile = new float[MR * NR];

    static Scratch borrow() {
      Scratch idle = IDLE.take();
      return idle != null ? idle : new Scratch();
    }

    float[] packedA(int size) {
      if (packedA.length < size) {
        packedA = new float[size];
      }
      return packedA;
    }

    float[] packedB(int size) {
      if (packedB.length < size) {
        packedB = new float[size];
      }
      return packedB;
    }
  }

  /**
   * The concrete class of this JVM's preferred float vectors. Every vector a method is called on
   * is cast to it where it is made ({@code fromArray}, {@code broadcast}, {@code zero}, whose
   * declared type is only {@code FloatVector}) and after every loop that carries it (a loop phi
   * has its declared type while C2 parses); results of vector operations keep it by themselves.
   * The casts cost nothing once compiled.
   *
   * <p>Why: C2 parses a kernel before it inlines the Vector API intrinsics, so it can bind a call
   * on a vector of unknown concrete class only by speculating on a type profile. On JDK 17 every
   * vector of a kernel was boxed (about 10x slower, ~150 GB allocated per Fashion-MNIST epoch)
   * whenever that failed: when a shared Vector API method had been compiled at C1's tier 2 (no
   * profile), or when the deoptimizations recorded in the helpers every operation inlines (a few
   * {@code class_check} traps each, counted once per inlined call) summed past
   * {@code -XX:PerMethodTrapLimit} within one kernel. Which happened depended on what ran first:
   * one JVM start in five to eight trained 10x slower. {@code VectorKernelsWithoutProfilesTest}
   * runs every kernel with type profiles off.
   */
  static final Class<? extends FloatVector> EXACT = FloatVector.zero(S).getClass();

  /** Eight vectors of zeros, never written: where batch-1 accumulators start when not accumulating. */
  static final float[] ZEROS = new float[8 * L];

  /** Whether batch-1 products may keep sixteen vector accumulators (32 vector registers). */
  private static final boolean WIDE_GEMV = L >= 16;

  /**
   * Products whose rows of C cost at most {@value #TINY_ROW} multiply-adds each ({@code n * k}:
   * XOR's layers, 2 x 2) run as plain fma chains ({@link #smallProduct}): the packed path pads such
   * a row to a vector through a scratch tile, 75-100 ns a product at XOR's batch of 4 against
   * 17-33.
   */
  static final int TINY_ROW = 16;

  /**
   * Products narrower than a vector of at most {@value #SMALL_PRODUCT} multiply-adds (all of
   * Iris's: 120 x 4 x 10 is the largest, 4,800) take {@link #narrowProduct}: fma chains while the
   * vector kernels are cold (C1 compiles scalar loops at once, while vector kernels run boxed
   * until C2 has compiled them: a first Iris fit through the packed path took 0.51-0.59 s against
   * 0.31), then {@link VectorNarrowProducts} (Iris's five products of a step: 2.75 us against
   * 10.1 in JMH, where the packed path had been about even with the chains). W1's smallest
   * product, 64 x 128 x 10, is 10x past the bound.
   */
  static final int SMALL_PRODUCT = 8192;

  /**
   * Whether a product takes {@link #smallProduct}. Both paths compute every element of C as the
   * same fma chain in K order, so where the line falls never changes a result (a thread's share of
   * a product may take the other path than the whole would).
   */
  static boolean small(int m, int n, int k) {
    return (long) n * k <= TINY_ROW || (m > 1 && n < L && (long) m * n * k <= SMALL_PRODUCT);
  }

  VectorGemm() {
    if (L < 4) {
      // Narrower than 128 bits: the Vector API would not beat plain loops.
      throw new UnsupportedOperationException("preferred float species has only " + L + " lanes");
    }
  }

  @Override
  public String description() {
    return "Vector API, " + L + " float lanes (" + S.vectorBitSize() + "-bit)";
  }

  @Override
  public void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    if (small(m, n, k)) {
      product(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate); // tens of ns: no boundary
    } else {
      productUnit(PRODUCT, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }
  }

  @Override
  public void gemmTransA(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    if (small(m, n, k)) {
      productTransA(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate); // tens of ns: no boundary
    } else {
      productUnit(PRODUCT_TRANS_A, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }
  }

  @Override
  public void gemmTransB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    if (small(m, n, k)) {
      productTransB(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate); // tens of ns: no boundary
    } else {
      productUnit(PRODUCT_TRANS_B, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }
  }

  @Override
  public void rowTimesMatrixSkippingZeros(int n, int k, float[] a, int aOff, float[] b, int bOff, int ldb,
      float[] c, int cOff, int[] nonzeroRows) {
    try {
      UNITS[ROW_SKIPPING_ZEROS].invokeExact(n, k, a, aOff, b, bOff, ldb, c, cOff, nonzeroRows);
    } catch (Throwable thrown) {
      throw CompileUnits.rethrow(thrown);
    }
  }

  /** {@code UNITS[unit]}, one of the three float products, through its handle. */
  private static void productUnit(int unit, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    try {
      UNITS[unit].invokeExact(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    } catch (Throwable thrown) {
      throw CompileUnits.rethrow(thrown);
    }
  }

  private static void product(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    if (small(m, n, k)) {
      narrowProduct(m, n, k, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, accumulate);
    } else if (m == 1 && k > 0) {
      rowTimesMatrix(n, k, a, aOff, b, bOff, ldb, c, cOff, accumulate);
    } else {
      packedGemm(m, n, k, a, aOff, lda, false, b, bOff, ldb, false, c, cOff, ldc, accumulate, true);
    }
  }

  private static void productTransA(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    if (small(m, n, k)) {
      narrowProduct(m, n, k, a, aOff, 1, lda, b, bOff, ldb, 1, c, cOff, ldc, accumulate);
    } else if (m == 1 && k > 0 && lda == 1) {
      // A stored densely as [k x 1] is the same contiguous k-vector as a [1 x k] row.
      rowTimesMatrix(n, k, a, aOff, b, bOff, ldb, c, cOff, accumulate);
    } else {
      packedGemm(m, n, k, a, aOff, lda, true, b, bOff, ldb, false, c, cOff, ldc, accumulate, true);
    }
  }

  private static void productTransB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    if (small(m, n, k)) {
      narrowProduct(m, n, k, a, aOff, lda, 1, b, bOff, 1, ldb, c, cOff, ldc, accumulate);
    } else if (m == 1 && k > 0) {
      rowTimesRowsOf(n, k, a, aOff, b, bOff, ldb, c, cOff, accumulate);
    } else {
      packedGemm(m, n, k, a, aOff, lda, false, b, bOff, ldb, true, c, cOff, ldc, accumulate, true);
    }
  }

  private static void rowSkippingZeros(int n, int k, float[] a, int aOff, float[] b, int bOff, int ldb,
      float[] c, int cOff, int[] nonzeroRows) {
    if (n <= 0) {
      return;
    }
    if (k <= 0 || n < L || small(1, n, k)) {
      // Narrower than a vector, a skipped row saves one fma: less than listing the rows costs
      // (Fashion's 128 x 10 output layer: 0.145 us dense, 0.23 skipping).
      product(1, n, k, a, aOff, k, b, bOff, ldb, c, cOff, n, false);
      return;
    }
    int count = countNonzero(k, a, aOff);
    // A listed row costs more than a row of the contiguous kernels (784 x 256 in isolation: 15
    // against 11 ns; in W2 the listed rows do better, the weights then fitting in L2), so inputs
    // with fewer than 15% zeros read every row. C2 compiles only the paths its profile has seen,
    // and a serving loop may see no such input for a while: the first one after compilation
    // deoptimized the call (2 ms, several times over). So the first calls alternate the two paths,
    // which give the same floats, and the profile holds both. (The count is racy: a heuristic.)
    boolean readEveryRow = 20L * count > 17L * k;
    if (profiledCalls < PROFILED_CALLS) {
      readEveryRow = (++profiledCalls & 1) == 0;
    }
    if (readEveryRow) {
      rowTimesMatrix(n, k, a, aOff, b, bOff, ldb, c, cOff, false);
    } else {
      listNonzero(k, a, aOff, nonzeroRows);
      listedRowsTimesMatrix(n, k, count, a, aOff, b, bOff, ldb, c, cOff, nonzeroRows);
    }
  }

  /** How many of a's first k values are not zero (NaN counts), a vector at a time: 784 in ~50 ns. */
  static int countNonzero(int k, float[] a, int aOff) {
    int count = 0;
    int p = 0;
    for (int bound = S.loopBound(k); p < bound; p += L) {
      count += EXACT.cast(FloatVector.fromArray(S, a, aOff + p)).compare(VectorOperators.NE, 0f).trueCount();
    }
    for (; p < k; p++) {
      count += a[aOff + p] != 0f ? 1 : 0;
    }
    return count;
  }

  /** Lists the positions of a's non-zero values (NaN included) in {@code rows}, branch-free; returns how many. */
  static int listNonzero(int k, float[] a, int aOff, int[] rows) {
    int count = 0;
    for (int p = 0; p < k; p++) {
      rows[count] = p;
      count += a[aOff + p] != 0f ? 1 : 0;
    }
    return count;
  }

  /**
   * {@code c[n] = a B} over the {@code count} rows of B listed in {@code rows} ({@link
   * #listNonzero}), in column runs as {@link #rowTimesMatrix} (not accumulating).
   */
  static void listedRowsTimesMatrix(int n, int k, int count, float[] a, int aOff, float[] b, int bOff, int ldb,
      float[] c, int cOff, int[] rows) {
    int j = 0;
    if (WIDE_GEMV) {
      for (; j + 16 * L <= n; j += 16 * L) {
        sixteenVectorsOfColumnsAt(count, rows, a, aOff, b, bOff + j, ldb, c, cOff + j);
      }
    }
    for (; j + 8 * L <= n; j += 8 * L) {
      eightVectorsOfColumnsAt(count, rows, a, aOff, b, bOff + j, ldb, c, cOff + j);
    }
    for (; j + L <= n; j += L) {
      oneVectorOfColumnsAt(count, rows, a, aOff, b, bOff + j, ldb, c, cOff + j);
    }
    if (j < n && bOff + j + (long) (k - 1) * ldb + L <= b.length) {
      partialVectorOfColumnsAt(n - j, count, rows, a, aOff, b, bOff + j, ldb, c, cOff + j);
    } else if (j < n) {
      lastColumnsAt(n - j, count, rows, a, aOff, b, bOff + j, ldb, c, cOff + j);
    }
  }

  /** Calls of {@link #rowTimesMatrixSkippingZeros} that alternate its paths before choosing by the input. */
  private static final int PROFILED_CALLS = 2000;
  private static int profiledCalls;

  @Override
  public void packBf16(int rows, int cols, float[] src, int offset, int ld, short[] dst) {
    VectorBf16Rows.pack(rows, cols, src, offset, ld, dst);
  }

  /**
   * The lanes of {@code v} added pairwise in a fixed tree, each lane read by {@code lane(i)} with
   * a constant i: IEEE adds in a fixed order, so compiled code and the Vector API's Java fallbacks
   * give the same sum ({@code reduceLanes(ADD)} adds in another order in each). Small enough for C2 to
   * inline: a vector argument of a method that is not inlined is boxed.
   */
  static float sumLanes(FloatVector v) {
    FloatVector x = EXACT.cast(v);
    if (L == 16) {
      return ((((x.lane(0) + x.lane(1)) + (x.lane(2) + x.lane(3))) + ((x.lane(4) + x.lane(5)) + (x.lane(6) + x.lane(7))))
          + (((x.lane(8) + x.lane(9)) + (x.lane(10) + x.lane(11))) + ((x.lane(12) + x.lane(13)) + (x.lane(14) + x.lane(15)))));
    }
    if (L == 8) {
      return ((x.lane(0) + x.lane(1)) + (x.lane(2) + x.lane(3))) + ((x.lane(4) + x.lane(5)) + (x.lane(6) + x.lane(7)));
    }
    if (L == 4) {
      return (x.lane(0) + x.lane(1)) + (x.lane(2) + x.lane(3));
    }
    float sum = 0f;
    for (int i = 0; i < L; i++) {
      sum += x.lane(i); // wider machines (SVE): correct, not tuned
    }
    return sum;
  }

  /** Row by row through the batch-1 kernel: serving's product (m = 1); any m gives the same chains. */
  @Override
  public void gemmBf16(int m, int n, int k, float[] a, int aOff, int lda, short[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    try {
      UNITS[PRODUCT_BF16].invokeExact(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    } catch (Throwable thrown) {
      throw CompileUnits.rethrow(thrown);
    }
  }

  private static void productBf16(int m, int n, int k, float[] a, int aOff, int lda, short[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      VectorBf16Rows.rowTimesMatrix(n, k, a, aOff + i * lda, b, bOff, c, cOff + i * ldc, accumulate);
    }
  }

  /**
   * Vector narrow products ({@link VectorNarrowProducts}) once C2 has compiled them, the chains
   * until then. The warm-up's two problems are Iris's two layouts: a forward product at a quarter
   * of its batch (lanes across C's columns, whole-row stores and the tile) and an accumulated
   * 10 x 3 weight gradient over half its batch (across C's rows, through the tile).
   */
  static final VectorTwinGate NARROW_PRODUCTS = new VectorTwinGate("narrow-products", 2,
      probe -> narrowProbe(probe, true), probe -> narrowProbe(probe, false));
  private static final float[] PROBE_A = new float[64 * 10];
  private static final float[] PROBE_B = new float[64 * 10];
  private static final float[] PROBE_C = new float[64 * 10];

  private static void narrowProbe(int probe, boolean vector) {
    boolean forward = probe % 2 == 0;
    int m = forward ? 32 : 10;
    int n = forward ? 10 : 3;
    int k = forward ? 4 : 64;
    int aRowStride = forward ? k : 1;
    int aColStride = forward ? 1 : m;
    if (vector) {
      VectorNarrowProducts.product(m, n, k, PROBE_A, 0, aRowStride, aColStride, PROBE_B, 0, n, 1, PROBE_C, 0, n, !forward);
    } else {
      smallProduct(m, n, k, PROBE_A, 0, aRowStride, aColStride, PROBE_B, 0, n, 1, PROBE_C, 0, n, !forward);
    }
  }

  @Override
  public void compileVectorTwins() {
    NARROW_PRODUCTS.warmUpNowIfUsed();
  }

  /** A product inside {@link #small}'s bounds: vector lanes across its narrow side when the gate is open. */
  private static void narrowProduct(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride,
      float[] b, int bOff, int bRowStride, int bColStride, float[] c, int cOff, int ldc, boolean accumulate) {
    if (VectorNarrowProducts.applies(m, n, k) && NARROW_PRODUCTS.vectorReady()) {
      VectorNarrowProducts.product(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
          c, cOff, ldc, accumulate);
    } else {
      smallProduct(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, ldc,
          accumulate);
    }
  }

  /**
   * {@code C (+)= A B} as one fma chain per element of C, summed in K order onto what C held when
   * accumulating, exactly as the micro-kernels sum it: A's element (i, p) at
   * {@code a[aOff + i * aRowStride + p * aColStride]}, B's (p, j) at
   * {@code b[bOff + p * bRowStride + j * bColStride]}. Blocks of 4 rows by 2 columns keep eight
   * independent chains in flight; a block past the last row or column repeats it (the same
   * chain, the same value stored twice), so there is no remainder code.
   */
  static void smallProduct(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride,
      float[] b, int bOff, int bRowStride, int bColStride, float[] c, int cOff, int ldc, boolean accumulate) {
    if (m <= 0 || n <= 0) {
      return;
    }
    int lastRow = m - 1;
    int lastCol = n - 1;
    for (int i = 0; i < m; i += 4) {
      int i1 = Math.min(i + 1, lastRow), i2 = Math.min(i + 2, lastRow), i3 = Math.min(i + 3, lastRow);
      int a0 = aOff + i * aRowStride, a1 = aOff + i1 * aRowStride, a2 = aOff + i2 * aRowStride, a3 = aOff + i3 * aRowStride;
      int c0 = cOff + i * ldc, c1 = cOff + i1 * ldc, c2 = cOff + i2 * ldc, c3 = cOff + i3 * ldc;
      for (int j = 0; j < n; j += 2) {
        int j1 = Math.min(j + 1, lastCol);
        float s00 = 0f, s01 = 0f, s10 = 0f, s11 = 0f, s20 = 0f, s21 = 0f, s30 = 0f, s31 = 0f;
        if (accumulate) {
          s00 = c[c0 + j]; s01 = c[c0 + j1]; s10 = c[c1 + j]; s11 = c[c1 + j1];
          s20 = c[c2 + j]; s21 = c[c2 + j1]; s30 = c[c3 + j]; s31 = c[c3 + j1];
        }
        int b0 = bOff + j * bColStride;
        int b1 = bOff + j1 * bColStride;
        for (int p = 0, ap = 0, bp = 0; p < k; p++, ap += aColStride, bp += bRowStride) {
          float y0 = b[b0 + bp], y1 = b[b1 + bp];
          float x0 = a[a0 + ap], x1 = a[a1 + ap], x2 = a[a2 + ap], x3 = a[a3 + ap];
          s00 = Math.fma(x0, y0, s00); s01 = Math.fma(x0, y1, s01);
          s10 = Math.fma(x1, y0, s10); s11 = Math.fma(x1, y1, s11);
          s20 = Math.fma(x2, y0, s20); s21 = Math.fma(x2, y1, s21);
          s30 = Math.fma(x3, y0, s30); s31 = Math.fma(x3, y1, s31);
        }
        c[c0 + j] = s00; c[c0 + j1] = s01; c[c1 + j] = s10; c[c1 + j1] = s11;
        c[c2 + j] = s20; c[c2 + j1] = s21; c[c3 + j] = s30; c[c3 + j1] = s31;
      }
    }
  }

  /**
   * Rows of A up to which a product reads B where it lies ({@link #readsBInPlace}) instead of
   * packing it. Packing copies all of B for every product, and a few rows of A do not repay it:
   * a standalone harness, the same JVM, four alternating rounds, packed against in place (us):
   * W1's 64x784x256 255-257 against 229-231, 64x256x128 40.1-40.6 against 36.5-37.0, W3's
   * 256x784x256 945-968 against 919-929, 64x512x512 337-345 against 300-302; from 1,024 rows the
   * two were even within the noise (1024x256x1024 5.1-5.4 ms against 5.4-5.6, 2048x784x256 7.8-8.1
   * against 7.9-8.1), the packed panels' contiguous rows then being read often enough to count.
   */
  static final int B_IN_PLACE_MAX_ROWS = 512;

  /**
   * Whether a product reads B in place: not transposed (a transposed B must be gathered), at most
   * {@link #B_IN_PLACE_MAX_ROWS} rows, and every edge column a full vector (a partial one needs the
   * packing's zero padding). In place or packed, the kernels read the same values in the same
   * order: the same bits.
   */
  static boolean readsBInPlace(int m, int edgeCols, boolean bTransposed) {
    return !bTransposed && m <= B_IN_PLACE_MAX_ROWS && edgeCols % L == 0;
  }

  /**
   * The blocked product {@code C (+)= op(A) op(B)}. Loop order (outer to inner): K blocks, pack B
   * for the whole width (or read it in place, {@link #readsBInPlace}); row blocks of A; B panels;
   * A micro-panels (read in place); micro-kernel. A B panel is reused by every A micro-panel of the
   * row block while it is hot. {@code bInPlaceAllowed} false packs B always (tests compare).
   */
  static void packedGemm(int m, int n, int k, float[] a, int aOff, int lda,
      boolean aTransposed, float[] b, int bOff, int ldb, boolean bTransposed, float[] c, int cOff,
      int ldc, boolean accumulate, boolean bInPlaceAllowed) {
    if (m <= 0 || n <= 0) {
      return;
    }
    if (k <= 0) {
      if (!accumulate) {
        for (int i = 0, row = cOff; i < m; i++, row += ldc) {
          Arrays.fill(c, row, row + n, 0f);
        }
      }
      return;
    }
    Scratch scratch = Scratch.borrow();
    try {
      packedGemm(m, n, k, a, aOff, lda, aTransposed, b, bOff, ldb, bTransposed, c, cOff, ldc, accumulate,
          bInPlaceAllowed, scratch);
    } finally {
      Scratch.IDLE.giveBack(scratch);
    }
  }

  private static void packedGemm(int m, int n, int k, float[] a, int aOff, int lda, boolean aTransposed,
      float[] b, int bOff, int ldb, boolean bTransposed, float[] c, int cOff, int ldc, boolean accumulate,
      boolean bInPlaceAllowed, Scratch scratch) {
    if ((long) m * n * k >= MICRO_KERNEL_WARM_UP_MULTIPLY_ADDS) {
      MICRO_KERNELS.warmUpOnce();
    }
    int fullPanels = n / NR;
    if (fullPanels > 0 && (n - fullPanels * NR) / L == 1) {
      // One full vector left after the panels (256 = 5 x 48 + 16): the last panel joins it, and the
      // four vectors run as two 8 x 2 blocks instead of a panel and an 8 x 1 block.
      fullPanels--;
    }
    int edgeCols = n - fullPanels * NR;
    int edgeWidth = (edgeCols + L - 1) / L * L;
    // K blocks of near-equal size (784 -> 4 x 196, not 3 x 256 + 16): no thin last block.
    int kBlocks = (k + KC - 1) / KC;
    int kcMax = (k + kBlocks - 1) / kBlocks;
    boolean inPlace = bInPlaceAllowed && readsBInPlace(m, edgeCols, bTransposed);
    // In place, the panels are B's rows (stride ldb); packed, panels of NR and an edge of edgeWidth.
    float[] bp = inPlace ? b : scratch.packedB(kcMax * (fullPanels * NR + edgeWidth));
    int panelStride = inPlace ? ldb : NR;
    int edgeStride = inPlace ? ldb : edgeWidth;
    float[] ap = scratch.packedA(kcMax * MR);
    float[] tile = scratch.tile;

    // A is read where it lies: element (i, p) at aOff + i * aRowStride + p * aColStride. Only a
    // last micro-panel of fewer than MR rows is packed (zero rows below), for the scratch tile.
    int aRowStride = aTransposed ? 1 : lda;
    int aColStride = aTransposed ? lda : 1;
    for (int k0 = 0; k0 < k; k0 += kcMax) {
      int kc = Math.min(kcMax, k - k0);
      boolean loadC = accumulate || k0 > 0;
      // Panel jp's K block starts at panels + jp * panelStep; the edge follows the last panel.
      int panels = inPlace ? bOff + k0 * ldb : 0;
      int panelStep = inPlace ? NR : kc * NR;
      int edgePanel = panels + fullPanels * panelStep;
      if (bTransposed) {
        packBTransposed(kc, k0, fullPanels, edgeCols, edgeWidth, b, bOff, ldb, bp);
      } else if (!inPlace) {
        packB(kc, k0, fullPanels, edgeCols, edgeWidth, b, bOff, ldb, bp);
      }

      for (int i0 = 0; i0 < m; i0 += MC) {
        int mc = Math.min(MC, m - i0);
        int partialRows = mc % MR;
        if (partialRows > 0) {
          packPartialPanel(partialRows, i0 + mc - partialRows, kc, k0, a, aOff, aRowStride, aColStride, ap);
        }
        int aBlock = aOff + i0 * aRowStride + k0 * aColStride;
        for (int jp = 0; jp < fullPanels; jp++) {
          int bo = panels + jp * panelStep;
          for (int ir = 0; ir < mc; ir += MR) {
            int co = cOff + (i0 + ir) * ldc + jp * NR;
            if (ir + MR <= mc) {
              kernel8x3(kc, a, aBlock + ir * aRowStride, aRowStride, aColStride, bp, bo, panelStride, c, co, ldc,
                  loadC);
            } else {
              tileThroughScratch(tile, NR, partialRows, NR, c, co, ldc, loadC, true, kc, ap, 0, 1, MR, bp, bo,
                  panelStride);
            }
          }
        }
        // Pairs of full edge vectors on full row tiles: 16 fmas per 10 loads, against 8 per 9.
        int pairedCols = 0;
        for (; pairedCols + 2 * L <= edgeCols; pairedCols += 2 * L) {
          for (int ir = 0; ir + MR <= mc; ir += MR) {
            int co = cOff + (i0 + ir) * ldc + fullPanels * NR + pairedCols;
            kernel8x2(kc, a, aBlock + ir * aRowStride, aRowStride, aColStride, bp, edgePanel + pairedCols, edgeStride,
                c, co, ldc, loadC);
          }
        }
        for (int jv = 0; jv < edgeWidth; jv += L) {
          int cols = Math.min(L, edgeCols - jv);
          for (int ir = 0; ir < mc; ir += MR) {
            int co = cOff + (i0 + ir) * ldc + fullPanels * NR + jv;
            if (ir + MR <= mc && jv < pairedCols) {
              continue; // done as a pair above
            } else if (ir + MR <= mc && cols == L) {
              kernel8x1(kc, a, aBlock + ir * aRowStride, aRowStride, aColStride, bp, edgePanel + jv, edgeStride, c, co,
                  ldc, loadC);
            } else if (ir + MR <= mc) {
              // A full panel read in place for a partial edge vector: the scratch tile takes C's corner.
              tileThroughScratch(tile, L, MR, cols, c, co, ldc, loadC, false, kc, a, aBlock + ir * aRowStride,
                  aRowStride, aColStride, bp, edgePanel + jv, edgeStride);
            } else {
              tileThroughScratch(tile, L, partialRows, cols, c, co, ldc, loadC, false, kc, ap, 0, 1, MR, bp,
                  edgePanel + jv, edgeStride);
            }
          }
        }
      }
    }
  }

  /**
   * Packs rows k0..k0+kc of B [k x n] (row stride ldb) into panels of NR columns, then one
   * zero-padded edge panel.
   */
  private static void packB(int kc, int k0, int fullPanels, int edgeCols, int edgeWidth,
      float[] b, int bOff, int ldb, float[] bp) {
    int dst = 0;
    for (int jp = 0; jp < fullPanels; jp++) {
      int src = bOff + k0 * ldb + jp * NR;
      for (int p = 0; p < kc; p++, src += ldb, dst += NR) {
        System.arraycopy(b, src, bp, dst, NR);
      }
    }
    if (edgeWidth > 0) {
      int src = bOff + k0 * ldb + fullPanels * NR;
      for (int p = 0; p < kc; p++, src += ldb, dst += edgeWidth) {
        System.arraycopy(b, src, bp, dst, edgeCols);
        Arrays.fill(bp, dst + edgeCols, dst + edgeWidth, 0f);
      }
    }
  }

  /**
   * As {@link #packB} for B stored transposed, {@code [n x k]} with row stride ldb: the packed
   * panels are identical.
   */
  private static void packBTransposed(int kc, int k0, int fullPanels, int edgeCols,
      int edgeWidth, float[] b, int bOff, int ldb, float[] bp) {
    for (int jp = 0; jp < fullPanels; jp++) {
      int dst = jp * kc * NR;
      for (int jj = 0; jj < NR; jj++) {
        int src = bOff + (jp * NR + jj) * ldb + k0;
        for (int p = 0, d = dst + jj; p < kc; p++, d += NR) {
          bp[d] = b[src + p];
        }
      }
    }
    if (edgeWidth > 0) {
      int dst = fullPanels * kc * NR;
      for (int jj = 0; jj < edgeWidth; jj++) {
        if (jj < edgeCols) {
          int src = bOff + (fullPanels * NR + jj) * ldb + k0;
          for (int p = 0, d = dst + jj; p < kc; p++, d += edgeWidth) {
            bp[d] = b[src + p];
          }
        } else {
          for (int p = 0, d = dst + jj; p < kc; p++, d += edgeWidth) {
            bp[d] = 0f;
          }
        }
      }
    }
  }

  /**
   * Packs the last {@code rows < MR} rows of A from row {@code i0}, columns k0..k0+kc, into one
   * micro-panel stored column by column ({@code ap[p * MR + r]}), the rows below zero: the
   * scratch tile computes all MR rows and only the valid ones reach C.
   */
  private static void packPartialPanel(int rows, int i0, int kc, int k0, float[] a, int aOff, int aRowStride,
      int aColStride, float[] ap) {
    for (int p = 0, d = 0; p < kc; p++, d += MR) {
      int src = aOff + i0 * aRowStride + (k0 + p) * aColStride;
      for (int r = 0; r < MR; r++) {
        ap[d + r] = r < rows ? a[src + r * aRowStride] : 0f;
      }
    }
  }

  /**
   * A partial tile (fewer than MR rows, or an edge vector with fewer than L valid columns) through
   * the scratch tile: the valid corner of C is copied in when loadC, the kernel runs on the full
   * tile, and the valid corner is copied back. Rows and columns do not mix in a product, so what
   * the rest of the scratch holds never reaches C. A as in {@link #kernel8x3}: in place for full
   * rows, the packed partial panel ({@code ap}, strides 1 and MR) otherwise.
   */
  private static void tileThroughScratch(float[] tile, int ldt, int rows, int cols, float[] c, int cOff, int ldc,
      boolean loadC, boolean threeVectors, int kc, float[] a, int aOff, int aRowStride, int aColStride,
      float[] bp, int bpOff, int bpStride) {
    if (loadC) {
      for (int r = 0; r < rows; r++) {
        System.arraycopy(c, cOff + r * ldc, tile, r * ldt, cols);
      }
    }
    if (threeVectors) {
      kernel8x3(kc, a, aOff, aRowStride, aColStride, bp, bpOff, bpStride, tile, 0, ldt, loadC);
    } else {
      kernel8x1(kc, a, aOff, aRowStride, aColStride, bp, bpOff, bpStride, tile, 0, ldt, loadC);
    }
    for (int r = 0; r < rows; r++) {
      System.arraycopy(tile, r * ldt, c, cOff + r * ldc, cols);
    }
  }

  /**
   * Products from this many multiply-adds warm the micro-kernels up first, once per JVM ({@link
   * #MICRO_KERNELS}): W1's 64 x 784 x 256 (12.8M) does, the seed's Iris and XOR (a few thousand)
   * never do.
   */
  static final long MICRO_KERNEL_WARM_UP_MULTIPLY_ADDS = 1L << 20;

  /**
   * The micro-kernels' warm-up. They run vector code either way; what the warm-up changes is when
   * C2 has compiled them. Until then every vector operation runs boxed: a W1 step in the
   * interpreter takes ~0.4 s, and W1's first 50 steps took ~2.5 s, its first epoch 3.4-3.6 s. Run
   * first on tiny tiles (K = 4, C loaded and not) until a pass allocates nothing (~0.6 s), they
   * reach C2 before the real products do: the first epoch then took 1.9-2.2 s, 2.6-2.9 s with the
   * warm-up (four JVMs each, one thread). The scalar probe is the same tiles as fma chains (the
   * gate's timing fallback where the JVM cannot count allocation).
   */
  static final VectorTwinGate MICRO_KERNELS = new VectorTwinGate("gemm-micro-kernels", 2,
      probe -> microKernelProbe(probe, true), probe -> microKernelProbe(probe, false));
  private static final int PROBE_KC = 4;
  private static final float[] KERNEL_PROBE_A = new float[MR * PROBE_KC];
  private static final float[] KERNEL_PROBE_B = new float[PROBE_KC * NR];
  private static final float[] KERNEL_PROBE_C = new float[MR * NR];

  private static void microKernelProbe(int probe, boolean vector) {
    boolean loadC = probe % 2 == 1;
    float[] a = KERNEL_PROBE_A;
    float[] b = KERNEL_PROBE_B;
    float[] c = KERNEL_PROBE_C;
    if (vector) {
      kernel8x3(PROBE_KC, a, 0, PROBE_KC, 1, b, 0, NR, c, 0, NR, loadC);
      kernel8x2(PROBE_KC, a, 0, PROBE_KC, 1, b, 0, NR, c, 0, NR, loadC);
      kernel8x1(PROBE_KC, a, 0, PROBE_KC, 1, b, 0, NR, c, 0, NR, loadC);
    } else {
      smallProduct(MR, NR, PROBE_KC, a, 0, PROBE_KC, 1, b, 0, NR, 1, c, 0, NR, loadC);
    }
  }

  // The micro-kernels below are unrolled by hand: C2 keeps every accumulator in a register only
  // when each is its own local.

  /**
   * {@code C[8 x NR] (+)= A[8 x kc] * Bpanel[kc x NR]}: A's element (r, p) at
   * {@code a[aOff + r * aRowStride + p * aColStride]} (A in place, either orientation, or a packed
   * panel with strides 1 and MR), the B panel's row p at {@code bp[bpOff + p * bpStride]} (packed,
   * stride NR, or B in place, stride ldb). {@code loadC} starts
   * the accumulators from C instead of zero, so every element of C sums its products in K order
   * onto what it held, the same in a full tile as in {@link #tileThroughScratch}'s partial ones
   * (results do not depend on how threads split the rows).
   */
  private static void kernel8x3(int kc, float[] a, int aOff, int aRowStride, int aColStride, float[] bp, int bpOff,
      int bpStride, float[] c, int cOff, int ldc, boolean loadC) {
    FloatVector c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
    FloatVector c40, c41, c42, c50, c51, c52, c60, c61, c62, c70, c71, c72;
    if (loadC) {
      int o0 = cOff;
      c00 = FloatVector.fromArray(S, c, o0); c01 = FloatVector.fromArray(S, c, o0 + L); c02 = FloatVector.fromArray(S, c, o0 + 2 * L);
      int o1 = cOff + ldc;
      c10 = FloatVector.fromArray(S, c, o1); c11 = FloatVector.fromArray(S, c, o1 + L); c12 = FloatVector.fromArray(S, c, o1 + 2 * L);
      int o2 = cOff + 2 * ldc;
      c20 = FloatVector.fromArray(S, c, o2); c21 = FloatVector.fromArray(S, c, o2 + L); c22 = FloatVector.fromArray(S, c, o2 + 2 * L);
      int o3 = cOff + 3 * ldc;
      c30 = FloatVector.fromArray(S, c, o3); c31 = FloatVector.fromArray(S, c, o3 + L); c32 = FloatVector.fromArray(S, c, o3 + 2 * L);
      int o4 = cOff + 4 * ldc;
      c40 = FloatVector.fromArray(S, c, o4); c41 = FloatVector.fromArray(S, c, o4 + L); c42 = FloatVector.fromArray(S, c, o4 + 2 * L);
      int o5 = cOff + 5 * ldc;
      c50 = FloatVector.fromArray(S, c, o5); c51 = FloatVector.fromArray(S, c, o5 + L); c52 = FloatVector.fromArray(S, c, o5 + 2 * L);
      int o6 = cOff + 6 * ldc;
      c60 = FloatVector.fromArray(S, c, o6); c61 = FloatVector.fromArray(S, c, o6 + L); c62 = FloatVector.fromArray(S, c, o6 + 2 * L);
      int o7 = cOff + 7 * ldc;
      c70 = FloatVector.fromArray(S, c, o7); c71 = FloatVector.fromArray(S, c, o7 + L); c72 = FloatVector.fromArray(S, c, o7 + 2 * L);
    } else {
      FloatVector zero = EXACT.cast(FloatVector.zero(S));
      c00 = zero; c01 = zero; c02 = zero;
      c10 = zero; c11 = zero; c12 = zero;
      c20 = zero; c21 = zero; c22 = zero;
      c30 = zero; c31 = zero; c32 = zero;
      c40 = zero; c41 = zero; c42 = zero;
      c50 = zero; c51 = zero; c52 = zero;
      c60 = zero; c61 = zero; c62 = zero;
      c70 = zero; c71 = zero; c72 = zero;
    }
    int r1 = aRowStride;
    int r2 = 2 * aRowStride;
    int r3 = 3 * aRowStride;
    int r4 = 4 * aRowStride;
    int r5 = 5 * aRowStride;
    int r6 = 6 * aRowStride;
    int r7 = 7 * aRowStride;
    for (int p = 0, ai = aOff, bi = bpOff; p < kc; p++, ai += aColStride, bi += bpStride) {
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, bp, bi));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, bp, bi + L));
      FloatVector b2 = EXACT.cast(FloatVector.fromArray(S, bp, bi + 2 * L));
      FloatVector a0 = FloatVector.broadcast(S, a[ai]);
      c00 = b0.fma(a0, c00); c01 = b1.fma(a0, c01); c02 = b2.fma(a0, c02);
      FloatVector a1 = FloatVector.broadcast(S, a[ai + r1]);
      c10 = b0.fma(a1, c10); c11 = b1.fma(a1, c11); c12 = b2.fma(a1, c12);
      FloatVector a2 = FloatVector.broadcast(S, a[ai + r2]);
      c20 = b0.fma(a2, c20); c21 = b1.fma(a2, c21); c22 = b2.fma(a2, c22);
      FloatVector a3 = FloatVector.broadcast(S, a[ai + r3]);
      c30 = b0.fma(a3, c30); c31 = b1.fma(a3, c31); c32 = b2.fma(a3, c32);
      FloatVector a4 = FloatVector.broadcast(S, a[ai + r4]);
      c40 = b0.fma(a4, c40); c41 = b1.fma(a4, c41); c42 = b2.fma(a4, c42);
      FloatVector a5 = FloatVector.broadcast(S, a[ai + r5]);
      c50 = b0.fma(a5, c50); c51 = b1.fma(a5, c51); c52 = b2.fma(a5, c52);
      FloatVector a6 = FloatVector.broadcast(S, a[ai + r6]);
      c60 = b0.fma(a6, c60); c61 = b1.fma(a6, c61); c62 = b2.fma(a6, c62);
      FloatVector a7 = FloatVector.broadcast(S, a[ai + r7]);
      c70 = b0.fma(a7, c70); c71 = b1.fma(a7, c71); c72 = b2.fma(a7, c72);
    }
    // The accumulators are loop phis: cast (see EXACT).
    int s0 = cOff;
    EXACT.cast(c00).intoArray(c, s0); EXACT.cast(c01).intoArray(c, s0 + L); EXACT.cast(c02).intoArray(c, s0 + 2 * L);
    int s1 = cOff + ldc;
    EXACT.cast(c10).intoArray(c, s1); EXACT.cast(c11).intoArray(c, s1 + L); EXACT.cast(c12).intoArray(c, s1 + 2 * L);
    int s2 = cOff + 2 * ldc;
    EXACT.cast(c20).intoArray(c, s2); EXACT.cast(c21).intoArray(c, s2 + L); EXACT.cast(c22).intoArray(c, s2 + 2 * L);
    int s3 = cOff + 3 * ldc;
    EXACT.cast(c30).intoArray(c, s3); EXACT.cast(c31).intoArray(c, s3 + L); EXACT.cast(c32).intoArray(c, s3 + 2 * L);
    int s4 = cOff + 4 * ldc;
    EXACT.cast(c40).intoArray(c, s4); EXACT.cast(c41).intoArray(c, s4 + L); EXACT.cast(c42).intoArray(c, s4 + 2 * L);
    int s5 = cOff + 5 * ldc;
    EXACT.cast(c50).intoArray(c, s5); EXACT.cast(c51).intoArray(c, s5 + L); EXACT.cast(c52).intoArray(c, s5 + 2 * L);
    int s6 = cOff + 6 * ldc;
    EXACT.cast(c60).intoArray(c, s6); EXACT.cast(c61).intoArray(c, s6 + L); EXACT.cast(c62).intoArray(c, s6 + 2 * L);
    int s7 = cOff + 7 * ldc;
    EXACT.cast(c70).intoArray(c, s7); EXACT.cast(c71).intoArray(c, s7 + L); EXACT.cast(c72).intoArray(c, s7 + 2 * L);
  }

  /**
   * One vector column of the edge panel: {@code C[8 x L] (+)= Apanel * Bpanel[kc x L]}, where
   * consecutive rows of the B panel are {@code bpStride} apart; A and {@code loadC} as in
   * {@link #kernel8x3}.
   */
  private static void kernel8x1(int kc, float[] a, int aOff, int aRowStride, int aColStride, float[] bp, int bpOff,
      int bpStride, float[] c, int cOff, int ldc, boolean loadC) {
    int r = aRowStride;
    kernel8x1Rows(kc, a, aOff, aOff + r, aOff + 2 * r, aOff + 3 * r, aOff + 4 * r, aOff + 5 * r, aOff + 6 * r,
        aOff + 7 * r, aColStride, bp, bpOff, bpStride, c, cOff, ldc, loadC);
  }

  /**
   * {@code out[outOff + r * ldo ...]} (+)= sum over p < kc of {@code a[a_r + p * aColStride]} times
   * the vector at {@code bv[bOff + p * bStride]}, for r = 0..7, each lane its own fma chain in p
   * order, started from out when {@code loadOut}: {@link #kernel8x1} with each row of A where it
   * lies, so that {@link VectorNarrowProducts} can repeat a last row instead of packing a partial
   * panel.
   */
  static void kernel8x1Rows(int kc, float[] a, int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7,
      int aColStride, float[] bv, int bOff, int bStride, float[] out, int outOff, int ldo, boolean loadOut) {
    FloatVector c0;
    FloatVector c1;
    FloatVector c2;
    FloatVector c3;
    FloatVector c4;
    FloatVector c5;
    FloatVector c6;
    FloatVector c7;
    if (loadOut) {
      c0 = EXACT.cast(FloatVector.fromArray(S, out, outOff));
      c1 = EXACT.cast(FloatVector.fromArray(S, out, outOff + ldo));
      c2 = EXACT.cast(FloatVector.fromArray(S, out, outOff + 2 * ldo));
      c3 = EXACT.cast(FloatVector.fromArray(S, out, outOff + 3 * ldo));
      c4 = EXACT.cast(FloatVector.fromArray(S, out, outOff + 4 * ldo));
      c5 = EXACT.cast(FloatVector.fromArray(S, out, outOff + 5 * ldo));
      c6 = EXACT.cast(FloatVector.fromArray(S, out, outOff + 6 * ldo));
      c7 = EXACT.cast(FloatVector.fromArray(S, out, outOff + 7 * ldo));
    } else {
      FloatVector zero = EXACT.cast(FloatVector.zero(S));
      c0 = zero;
      c1 = zero;
      c2 = zero;
      c3 = zero;
      c4 = zero;
      c5 = zero;
      c6 = zero;
      c7 = zero;
    }
    for (int p = 0, ap = 0, bi = bOff; p < kc; p++, ap += aColStride, bi += bStride) {
      FloatVector row = EXACT.cast(FloatVector.fromArray(S, bv, bi));
      c0 = row.fma(FloatVector.broadcast(S, a[a0 + ap]), c0);
      c1 = row.fma(FloatVector.broadcast(S, a[a1 + ap]), c1);
      c2 = row.fma(FloatVector.broadcast(S, a[a2 + ap]), c2);
      c3 = row.fma(FloatVector.broadcast(S, a[a3 + ap]), c3);
      c4 = row.fma(FloatVector.broadcast(S, a[a4 + ap]), c4);
      c5 = row.fma(FloatVector.broadcast(S, a[a5 + ap]), c5);
      c6 = row.fma(FloatVector.broadcast(S, a[a6 + ap]), c6);
      c7 = row.fma(FloatVector.broadcast(S, a[a7 + ap]), c7);
    }
    // Stores in row order: a row's lanes past its columns are overwritten by the rows below.
    EXACT.cast(c0).intoArray(out, outOff);
    EXACT.cast(c1).intoArray(out, outOff + ldo);
    EXACT.cast(c2).intoArray(out, outOff + 2 * ldo);
    EXACT.cast(c3).intoArray(out, outOff + 3 * ldo);
    EXACT.cast(c4).intoArray(out, outOff + 4 * ldo);
    EXACT.cast(c5).intoArray(out, outOff + 5 * ldo);
    EXACT.cast(c6).intoArray(out, outOff + 6 * ldo);
    EXACT.cast(c7).intoArray(out, outOff + 7 * ldo);
  }

  /**
   * {@code C[8 x 2L] (+)= A[8 x kc] * B[kc x 2L]}, B two vectors of a packed edge region (row stride
   * {@code bpStride}); otherwise as {@link #kernel8x1}.
   */
  private static void kernel8x2(int kc, float[] a, int aOff, int aRowStride, int aColStride, float[] bp, int bpOff,
      int bpStride, float[] c, int cOff, int ldc, boolean loadC) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
    if (loadC) {
      int o0 = cOff;
      c00 = FloatVector.fromArray(S, c, o0); c01 = FloatVector.fromArray(S, c, o0 + L);
      int o1 = cOff + ldc;
      c10 = FloatVector.fromArray(S, c, o1); c11 = FloatVector.fromArray(S, c, o1 + L);
      int o2 = cOff + 2 * ldc;
      c20 = FloatVector.fromArray(S, c, o2); c21 = FloatVector.fromArray(S, c, o2 + L);
      int o3 = cOff + 3 * ldc;
      c30 = FloatVector.fromArray(S, c, o3); c31 = FloatVector.fromArray(S, c, o3 + L);
      int o4 = cOff + 4 * ldc;
      c40 = FloatVector.fromArray(S, c, o4); c41 = FloatVector.fromArray(S, c, o4 + L);
      int o5 = cOff + 5 * ldc;
      c50 = FloatVector.fromArray(S, c, o5); c51 = FloatVector.fromArray(S, c, o5 + L);
      int o6 = cOff + 6 * ldc;
      c60 = FloatVector.fromArray(S, c, o6); c61 = FloatVector.fromArray(S, c, o6 + L);
      int o7 = cOff + 7 * ldc;
      c70 = FloatVector.fromArray(S, c, o7); c71 = FloatVector.fromArray(S, c, o7 + L);
    } else {
      FloatVector zero = EXACT.cast(FloatVector.zero(S));
      c00 = zero; c01 = zero;
      c10 = zero; c11 = zero;
      c20 = zero; c21 = zero;
      c30 = zero; c31 = zero;
      c40 = zero; c41 = zero;
      c50 = zero; c51 = zero;
      c60 = zero; c61 = zero;
      c70 = zero; c71 = zero;
    }
    int r1 = aRowStride;
    int r2 = 2 * aRowStride;
    int r3 = 3 * aRowStride;
    int r4 = 4 * aRowStride;
    int r5 = 5 * aRowStride;
    int r6 = 6 * aRowStride;
    int r7 = 7 * aRowStride;
    for (int p = 0, ai = aOff, bi = bpOff; p < kc; p++, ai += aColStride, bi += bpStride) {
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, bp, bi));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, bp, bi + L));
      FloatVector a0 = FloatVector.broadcast(S, a[ai]);
      c00 = b0.fma(a0, c00); c01 = b1.fma(a0, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[ai + r1]);
      c10 = b0.fma(a1, c10); c11 = b1.fma(a1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[ai + r2]);
      c20 = b0.fma(a2, c20); c21 = b1.fma(a2, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[ai + r3]);
      c30 = b0.fma(a3, c30); c31 = b1.fma(a3, c31);
      FloatVector a4 = FloatVector.broadcast(S, a[ai + r4]);
      c40 = b0.fma(a4, c40); c41 = b1.fma(a4, c41);
      FloatVector a5 = FloatVector.broadcast(S, a[ai + r5]);
      c50 = b0.fma(a5, c50); c51 = b1.fma(a5, c51);
      FloatVector a6 = FloatVector.broadcast(S, a[ai + r6]);
      c60 = b0.fma(a6, c60); c61 = b1.fma(a6, c61);
      FloatVector a7 = FloatVector.broadcast(S, a[ai + r7]);
      c70 = b0.fma(a7, c70); c71 = b1.fma(a7, c71);
    }
    // The accumulators are loop phis: cast (see EXACT).
    int s0 = cOff;
    EXACT.cast(c00).intoArray(c, s0); EXACT.cast(c01).intoArray(c, s0 + L);
    int s1 = cOff + ldc;
    EXACT.cast(c10).intoArray(c, s1); EXACT.cast(c11).intoArray(c, s1 + L);
    int s2 = cOff + 2 * ldc;
    EXACT.cast(c20).intoArray(c, s2); EXACT.cast(c21).intoArray(c, s2 + L);
    int s3 = cOff + 3 * ldc;
    EXACT.cast(c30).intoArray(c, s3); EXACT.cast(c31).intoArray(c, s3 + L);
    int s4 = cOff + 4 * ldc;
    EXACT.cast(c40).intoArray(c, s4); EXACT.cast(c41).intoArray(c, s4 + L);
    int s5 = cOff + 5 * ldc;
    EXACT.cast(c50).intoArray(c, s5); EXACT.cast(c51).intoArray(c, s5 + L);
    int s6 = cOff + 6 * ldc;
    EXACT.cast(c60).intoArray(c, s6); EXACT.cast(c61).intoArray(c, s6 + L);
    int s7 = cOff + 7 * ldc;
    EXACT.cast(c70).intoArray(c, s7); EXACT.cast(c71).intoArray(c, s7 + L);
  }

  /**
   * The columns of a batch-1 product ({@link #rowTimesMatrix}, not accumulating) sixteen vectors at
   * a time, for species with 32 vector registers (AVX-512): each row of B is read in one
   * contiguous run per pass (JMH {@code gemv784x256}, four paired runs: 10.4-11.3 -> 8.0-10.1 us).
   * A method of its own: C1 runs out of virtual registers on it inside rowTimesMatrix.
   */
  private static void sixteenVectorsOfColumns(int k, float[] a, int aOff, float[] b, int bOff, int ldb,
      float[] c, int cOff) {
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    FloatVector s0 = zero;
    FloatVector s1 = zero;
    FloatVector s2 = zero;
    FloatVector s3 = zero;
    FloatVector s4 = zero;
    FloatVector s5 = zero;
    FloatVector s6 = zero;
    FloatVector s7 = zero;
    FloatVector s8 = zero;
    FloatVector s9 = zero;
    FloatVector s10 = zero;
    FloatVector s11 = zero;
    FloatVector s12 = zero;
    FloatVector s13 = zero;
    FloatVector s14 = zero;
    FloatVector s15 = zero;
    for (int p = 0, bi = bOff; p < k; p++, bi += ldb) {
      FloatVector av = EXACT.cast(FloatVector.broadcast(S, a[aOff + p]));
      s0 = av.fma(FloatVector.fromArray(S, b, bi), s0);
      s1 = av.fma(FloatVector.fromArray(S, b, bi + L), s1);
      s2 = av.fma(FloatVector.fromArray(S, b, bi + 2 * L), s2);
      s3 = av.fma(FloatVector.fromArray(S, b, bi + 3 * L), s3);
      s4 = av.fma(FloatVector.fromArray(S, b, bi + 4 * L), s4);
      s5 = av.fma(FloatVector.fromArray(S, b, bi + 5 * L), s5);
      s6 = av.fma(FloatVector.fromArray(S, b, bi + 6 * L), s6);
      s7 = av.fma(FloatVector.fromArray(S, b, bi + 7 * L), s7);
      s8 = av.fma(FloatVector.fromArray(S, b, bi + 8 * L), s8);
      s9 = av.fma(FloatVector.fromArray(S, b, bi + 9 * L), s9);
      s10 = av.fma(FloatVector.fromArray(S, b, bi + 10 * L), s10);
      s11 = av.fma(FloatVector.fromArray(S, b, bi + 11 * L), s11);
      s12 = av.fma(FloatVector.fromArray(S, b, bi + 12 * L), s12);
      s13 = av.fma(FloatVector.fromArray(S, b, bi + 13 * L), s13);
      s14 = av.fma(FloatVector.fromArray(S, b, bi + 14 * L), s14);
      s15 = av.fma(FloatVector.fromArray(S, b, bi + 15 * L), s15);
    }
    EXACT.cast(s0).intoArray(c, cOff);
    EXACT.cast(s1).intoArray(c, cOff + L);
    EXACT.cast(s2).intoArray(c, cOff + 2 * L);
    EXACT.cast(s3).intoArray(c, cOff + 3 * L);
    EXACT.cast(s4).intoArray(c, cOff + 4 * L);
    EXACT.cast(s5).intoArray(c, cOff + 5 * L);
    EXACT.cast(s6).intoArray(c, cOff + 6 * L);
    EXACT.cast(s7).intoArray(c, cOff + 7 * L);
    EXACT.cast(s8).intoArray(c, cOff + 8 * L);
    EXACT.cast(s9).intoArray(c, cOff + 9 * L);
    EXACT.cast(s10).intoArray(c, cOff + 10 * L);
    EXACT.cast(s11).intoArray(c, cOff + 11 * L);
    EXACT.cast(s12).intoArray(c, cOff + 12 * L);
    EXACT.cast(s13).intoArray(c, cOff + 13 * L);
    EXACT.cast(s14).intoArray(c, cOff + 14 * L);
    EXACT.cast(s15).intoArray(c, cOff + 15 * L);
  }

  /**
   * Batch-1 product {@code c[n] (+)= a[k] * B[k x n]} (B's row stride ldb): streams B row by row into register
   * accumulators, eight vectors of columns at a time (eight independent fma chains and eight
   * cache lines in flight per row; 20-30% faster than four), then narrower; no packing. Each
   * element of C is the packed kernels' fma chain in K order (from C when accumulating), so a
   * batch-1 forward pass gives a batch's row bit for bit. Each run of columns is a method of its
   * own: in one 2,006-byte method C2 left a vector loop un-intrinsified in about one JVM in four on
   * JDK 25 (StepAllocationTest: an LSTM step allocated 3.4 KB; 2 of 12 runs before this session's
   * changes, 4 of 12 after them, 0 of 36 split). Each computes one run and this method loops: with
   * the loop over runs inside them, C2 kept B's row stride on the stack and read it every row, and
   * the 784x256 product took 9.0-9.5 us at 14 of 16 weight offsets against 7.9-8.2 now (256x128:
   * 1.35-1.40 against 1.21).
   */
  private static void rowTimesMatrix(int n, int k, float[] a, int aOff, float[] b, int bOff,
      int ldb, float[] c, int cOff, boolean accumulate) {
    int j = 0;
    if (WIDE_GEMV && !accumulate) {
      for (; j + 16 * L <= n; j += 16 * L) {
        sixteenVectorsOfColumns(k, a, aOff, b, bOff + j, ldb, c, cOff + j);
      }
    }
    for (; j + 8 * L <= n; j += 8 * L) {
      eightVectorsOfColumns(k, a, aOff, b, bOff + j, ldb, c, cOff + j, accumulate);
    }
    for (; j + 2 * L <= n; j += 2 * L) {
      twoVectorsOfColumns(k, a, aOff, b, bOff + j, ldb, c, cOff + j, accumulate);
    }
    for (; j + L <= n; j += L) {
      oneVectorOfColumns(k, a, aOff, b, bOff + j, ldb, c, cOff + j, accumulate);
    }
    if (j < n && !accumulate && k >= PARTIAL_VECTOR_MIN_K && bOff + j + (long) (k - 1) * ldb + L <= b.length) {
      partialVectorOfColumns(n - j, k, a, aOff, b, bOff + j, ldb, c, cOff + j);
    } else {
      lastColumns(j, n, k, a, aOff, b, bOff, ldb, c, cOff, accumulate);
    }
  }

  /**
   * Fewest rows of B for which the last columns of a batch-1 product ({@link #rowTimesMatrix}) take
   * one vector ({@link #partialVectorOfColumns}): Fashion's 128 x 10 output layer, 0.42 -> 0.15 us.
   * Iris's and XOR's few rows keep the scalar chains, which C1 compiles at once where a new vector
   * kernel runs its boxed fallback until C2 has compiled it.
   */
  static final int PARTIAL_VECTOR_MIN_K = 32;

  /**
   * The last {@code width < L} columns of a batch-1 product (not accumulating) as one vector fma
   * chain: each row's vector load takes the {@code width} columns and whatever follows them in B's
   * array (the caller checks it is inside), and only the first {@code width} lanes reach C. Lane t
   * is column t's fma chain in K order, the same bits as {@link #lastColumns}' scalar chains.
   */
  private static void partialVectorOfColumns(int width, int k, float[] a, int aOff, float[] b, int bOff, int ldb,
      float[] c, int cOff) {
    FloatVector s = EXACT.cast(FloatVector.zero(S));
    for (int p = 0, bi = bOff; p < k; p++, bi += ldb) {
      FloatVector av = EXACT.cast(FloatVector.broadcast(S, a[aOff + p]));
      s = av.fma(FloatVector.fromArray(S, b, bi), s);
    }
    FloatVector sum = EXACT.cast(s);
    for (int t = 0; t < width; t++) {
      c[cOff + t] = sum.lane(t);
    }
  }

  /**
   * Eight vectors of columns of {@link #rowTimesMatrix}, from C's {@code cOff} and B's {@code bOff}.
   * One run per call, the caller looping over runs (as {@link #sixteenVectorsOfColumns}).
   */
  private static void eightVectorsOfColumns(int k, float[] a, int aOff, float[] b, int bOff, int ldb,
      float[] c, int cOff, boolean accumulate) {
    // Accumulators start from C or from zeros: the branch picks the array, so no vector is a phi.
    float[] from = accumulate ? c : ZEROS;
    int f = accumulate ? cOff : 0;
    FloatVector s0 = EXACT.cast(FloatVector.fromArray(S, from, f));
    FloatVector s1 = EXACT.cast(FloatVector.fromArray(S, from, f + L));
    FloatVector s2 = EXACT.cast(FloatVector.fromArray(S, from, f + 2 * L));
    FloatVector s3 = EXACT.cast(FloatVector.fromArray(S, from, f + 3 * L));
    FloatVector s4 = EXACT.cast(FloatVector.fromArray(S, from, f + 4 * L));
    FloatVector s5 = EXACT.cast(FloatVector.fromArray(S, from, f + 5 * L));
    FloatVector s6 = EXACT.cast(FloatVector.fromArray(S, from, f + 6 * L));
    FloatVector s7 = EXACT.cast(FloatVector.fromArray(S, from, f + 7 * L));
    for (int p = 0, bi = bOff; p < k; p++, bi += ldb) {
      FloatVector av = EXACT.cast(FloatVector.broadcast(S, a[aOff + p]));
      s0 = av.fma(FloatVector.fromArray(S, b, bi), s0);
      s1 = av.fma(FloatVector.fromArray(S, b, bi + L), s1);
      s2 = av.fma(FloatVector.fromArray(S, b, bi + 2 * L), s2);
      s3 = av.fma(FloatVector.fromArray(S, b, bi + 3 * L), s3);
      s4 = av.fma(FloatVector.fromArray(S, b, bi + 4 * L), s4);
      s5 = av.fma(FloatVector.fromArray(S, b, bi + 5 * L), s5);
      s6 = av.fma(FloatVector.fromArray(S, b, bi + 6 * L), s6);
      s7 = av.fma(FloatVector.fromArray(S, b, bi + 7 * L), s7);
    }
    EXACT.cast(s0).intoArray(c, cOff);
    EXACT.cast(s1).intoArray(c, cOff + L);
    EXACT.cast(s2).intoArray(c, cOff + 2 * L);
    EXACT.cast(s3).intoArray(c, cOff + 3 * L);
    EXACT.cast(s4).intoArray(c, cOff + 4 * L);
    EXACT.cast(s5).intoArray(c, cOff + 5 * L);
    EXACT.cast(s6).intoArray(c, cOff + 6 * L);
    EXACT.cast(s7).intoArray(c, cOff + 7 * L);
  }

  /** Two vectors of columns of {@link #rowTimesMatrix}, one run per call (as {@link #eightVectorsOfColumns}). */
  private static void twoVectorsOfColumns(int k, float[] a, int aOff, float[] b, int bOff, int ldb,
      float[] c, int cOff, boolean accumulate) {
    float[] from = accumulate ? c : ZEROS;
    int f = accumulate ? cOff : 0;
    FloatVector s0 = EXACT.cast(FloatVector.fromArray(S, from, f));
    FloatVector s1 = EXACT.cast(FloatVector.fromArray(S, from, f + L));
    for (int p = 0, bi = bOff; p < k; p++, bi += ldb) {
      FloatVector av = EXACT.cast(FloatVector.broadcast(S, a[aOff + p]));
      s0 = av.fma(FloatVector.fromArray(S, b, bi), s0);
      s1 = av.fma(FloatVector.fromArray(S, b, bi + L), s1);
    }
    EXACT.cast(s0).intoArray(c, cOff);
    EXACT.cast(s1).intoArray(c, cOff + L);
  }

  /** One vector of columns of {@link #rowTimesMatrix}, one run per call (as {@link #eightVectorsOfColumns}). */
  private static void oneVectorOfColumns(int k, float[] a, int aOff, float[] b, int bOff, int ldb,
      float[] c, int cOff, boolean accumulate) {
    FloatVector s0 = EXACT.cast(FloatVector.fromArray(S, accumulate ? c : ZEROS, accumulate ? cOff : 0));
    for (int p = 0, bi = bOff; p < k; p++, bi += ldb) {
      FloatVector av = EXACT.cast(FloatVector.broadcast(S, a[aOff + p]));
      s0 = av.fma(FloatVector.fromArray(S, b, bi), s0);
    }
    EXACT.cast(s0).intoArray(c, cOff);
  }

  /** The last columns of {@link #rowTimesMatrix} from j, fewer than a vector. */
  private static void lastColumns(int j, int n, int k, float[] a, int aOff, float[] b, int bOff,
      int ldb, float[] c, int cOff, boolean accumulate) {
    // The last columns (fewer than a vector: the 10 classes), twelve at a time: twelve independent
    // chains in flight, where a chain of 128 fmas one after another cost ~4 cycles a step. A group
    // past the last column repeats it: the same chain, the same value stored twice.
    int lastCol = n - 1;
    for (; j < n; j += 12) {
      int j1 = Math.min(j + 1, lastCol), j2 = Math.min(j + 2, lastCol), j3 = Math.min(j + 3, lastCol);
      int j4 = Math.min(j + 4, lastCol), j5 = Math.min(j + 5, lastCol), j6 = Math.min(j + 6, lastCol);
      int j7 = Math.min(j + 7, lastCol), j8 = Math.min(j + 8, lastCol), j9 = Math.min(j + 9, lastCol);
      int j10 = Math.min(j + 10, lastCol), j11 = Math.min(j + 11, lastCol);
      float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f;
      float s6 = 0f, s7 = 0f, s8 = 0f, s9 = 0f, s10 = 0f, s11 = 0f;
      if (accumulate) {
        s0 = c[cOff + j];
        s1 = c[cOff + j1];
        s2 = c[cOff + j2];
        s3 = c[cOff + j3];
        s4 = c[cOff + j4];
        s5 = c[cOff + j5];
        s6 = c[cOff + j6];
        s7 = c[cOff + j7];
        s8 = c[cOff + j8];
        s9 = c[cOff + j9];
        s10 = c[cOff + j10];
        s11 = c[cOff + j11];
      }
      for (int p = 0, bi = bOff; p < k; p++, bi += ldb) {
        float ap = a[aOff + p];
        s0 = Math.fma(ap, b[bi + j], s0);
        s1 = Math.fma(ap, b[bi + j1], s1);
        s2 = Math.fma(ap, b[bi + j2], s2);
        s3 = Math.fma(ap, b[bi + j3], s3);
        s4 = Math.fma(ap, b[bi + j4], s4);
        s5 = Math.fma(ap, b[bi + j5], s5);
        s6 = Math.fma(ap, b[bi + j6], s6);
        s7 = Math.fma(ap, b[bi + j7], s7);
        s8 = Math.fma(ap, b[bi + j8], s8);
        s9 = Math.fma(ap, b[bi + j9], s9);
        s10 = Math.fma(ap, b[bi + j10], s10);
        s11 = Math.fma(ap, b[bi + j11], s11);
      }
      c[cOff + j] = s0;
      c[cOff + j1] = s1;
      c[cOff + j2] = s2;
      c[cOff + j3] = s3;
      c[cOff + j4] = s4;
      c[cOff + j5] = s5;
      c[cOff + j6] = s6;
      c[cOff + j7] = s7;
      c[cOff + j8] = s8;
      c[cOff + j9] = s9;
      c[cOff + j10] = s10;
      c[cOff + j11] = s11;
    }
  }


  /**
   * {@link #sixteenVectorsOfColumns} over the rows of B listed in {@code rows[0, count)} (ascending):
   * each listed row's fmas in the same order, the skipped rows' none.
   */
  private static void sixteenVectorsOfColumnsAt(int count, int[] rows, float[] a, int aOff, float[] b, int bOff,
      int ldb, float[] c, int cOff) {
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    FloatVector s0 = zero;
    FloatVector s1 = zero;
    FloatVector s2 = zero;
    FloatVector s3 = zero;
    FloatVector s4 = zero;
    FloatVector s5 = zero;
    FloatVector s6 = zero;
    FloatVector s7 = zero;
    FloatVector s8 = zero;
    FloatVector s9 = zero;
    FloatVector s10 = zero;
    FloatVector s11 = zero;
    FloatVector s12 = zero;
    FloatVector s13 = zero;
    FloatVector s14 = zero;
    FloatVector s15 = zero;
    for (int q = 0; q < count; q++) {
      int p = rows[q];
      int bi = bOff + p * ldb;
      FloatVector av = EXACT.cast(FloatVector.broadcast(S, a[aOff + p]));
      s0 = av.fma(FloatVector.fromArray(S, b, bi), s0);
      s1 = av.fma(FloatVector.fromArray(S, b, bi + L), s1);
      s2 = av.fma(FloatVector.fromArray(S, b, bi + 2 * L), s2);
      s3 = av.fma(FloatVector.fromArray(S, b, bi + 3 * L), s3);
      s4 = av.fma(FloatVector.fromArray(S, b, bi + 4 * L), s4);
      s5 = av.fma(FloatVector.fromArray(S, b, bi + 5 * L), s5);
      s6 = av.fma(FloatVector.fromArray(S, b, bi + 6 * L), s6);
      s7 = av.fma(FloatVector.fromArray(S, b, bi + 7 * L), s7);
      s8 = av.fma(FloatVector.fromArray(S, b, bi + 8 * L), s8);
      s9 = av.fma(FloatVector.fromArray(S, b, bi + 9 * L), s9);
      s10 = av.fma(FloatVector.fromArray(S, b, bi + 10 * L), s10);
      s11 = av.fma(FloatVector.fromArray(S, b, bi + 11 * L), s11);
      s12 = av.fma(FloatVector.fromArray(S, b, bi + 12 * L), s12);
      s13 = av.fma(FloatVector.fromArray(S, b, bi + 13 * L), s13);
      s14 = av.fma(FloatVector.fromArray(S, b, bi + 14 * L), s14);
      s15 = av.fma(FloatVector.fromArray(S, b, bi + 15 * L), s15);
    }
    EXACT.cast(s0).intoArray(c, cOff);
    EXACT.cast(s1).intoArray(c, cOff + L);
    EXACT.cast(s2).intoArray(c, cOff + 2 * L);
    EXACT.cast(s3).intoArray(c, cOff + 3 * L);
    EXACT.cast(s4).intoArray(c, cOff + 4 * L);
    EXACT.cast(s5).intoArray(c, cOff + 5 * L);
    EXACT.cast(s6).intoArray(c, cOff + 6 * L);
    EXACT.cast(s7).intoArray(c, cOff + 7 * L);
    EXACT.cast(s8).intoArray(c, cOff + 8 * L);
    EXACT.cast(s9).intoArray(c, cOff + 9 * L);
    EXACT.cast(s10).intoArray(c, cOff + 10 * L);
    EXACT.cast(s11).intoArray(c, cOff + 11 * L);
    EXACT.cast(s12).intoArray(c, cOff + 12 * L);
    EXACT.cast(s13).intoArray(c, cOff + 13 * L);
    EXACT.cast(s14).intoArray(c, cOff + 14 * L);
    EXACT.cast(s15).intoArray(c, cOff + 15 * L);
  }

  /** {@link #eightVectorsOfColumns} (not accumulating) over the listed rows of B, as {@link #sixteenVectorsOfColumnsAt}. */
  private static void eightVectorsOfColumnsAt(int count, int[] rows, float[] a, int aOff, float[] b, int bOff,
      int ldb, float[] c, int cOff) {
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    FloatVector s0 = zero;
    FloatVector s1 = zero;
    FloatVector s2 = zero;
    FloatVector s3 = zero;
    FloatVector s4 = zero;
    FloatVector s5 = zero;
    FloatVector s6 = zero;
    FloatVector s7 = zero;
    for (int q = 0; q < count; q++) {
      int p = rows[q];
      int bi = bOff + p * ldb;
      FloatVector av = EXACT.cast(FloatVector.broadcast(S, a[aOff + p]));
      s0 = av.fma(FloatVector.fromArray(S, b, bi), s0);
      s1 = av.fma(FloatVector.fromArray(S, b, bi + L), s1);
      s2 = av.fma(FloatVector.fromArray(S, b, bi + 2 * L), s2);
      s3 = av.fma(FloatVector.fromArray(S, b, bi + 3 * L), s3);
      s4 = av.fma(FloatVector.fromArray(S, b, bi + 4 * L), s4);
      s5 = av.fma(FloatVector.fromArray(S, b, bi + 5 * L), s5);
      s6 = av.fma(FloatVector.fromArray(S, b, bi + 6 * L), s6);
      s7 = av.fma(FloatVector.fromArray(S, b, bi + 7 * L), s7);
    }
    EXACT.cast(s0).intoArray(c, cOff);
    EXACT.cast(s1).intoArray(c, cOff + L);
    EXACT.cast(s2).intoArray(c, cOff + 2 * L);
    EXACT.cast(s3).intoArray(c, cOff + 3 * L);
    EXACT.cast(s4).intoArray(c, cOff + 4 * L);
    EXACT.cast(s5).intoArray(c, cOff + 5 * L);
    EXACT.cast(s6).intoArray(c, cOff + 6 * L);
    EXACT.cast(s7).intoArray(c, cOff + 7 * L);
  }

  /** One vector of columns over the listed rows of B, as {@link #sixteenVectorsOfColumnsAt}. */
  private static void oneVectorOfColumnsAt(int count, int[] rows, float[] a, int aOff, float[] b, int bOff,
      int ldb, float[] c, int cOff) {
    FloatVector s0 = EXACT.cast(FloatVector.zero(S));
    for (int q = 0; q < count; q++) {
      int p = rows[q];
      FloatVector av = EXACT.cast(FloatVector.broadcast(S, a[aOff + p]));
      s0 = av.fma(FloatVector.fromArray(S, b, bOff + p * ldb), s0);
    }
    EXACT.cast(s0).intoArray(c, cOff);
  }

  /**
   * The last {@code width < L} columns over the listed rows of B as one vector chain, as {@link
   * #partialVectorOfColumns} (the caller checks each row's load stays inside B's array).
   */
  private static void partialVectorOfColumnsAt(int width, int count, int[] rows, float[] a, int aOff, float[] b,
      int bOff, int ldb, float[] c, int cOff) {
    FloatVector s = EXACT.cast(FloatVector.zero(S));
    for (int q = 0; q < count; q++) {
      int p = rows[q];
      FloatVector av = EXACT.cast(FloatVector.broadcast(S, a[aOff + p]));
      s = av.fma(FloatVector.fromArray(S, b, bOff + p * ldb), s);
    }
    FloatVector sum = EXACT.cast(s);
    for (int t = 0; t < width; t++) {
      c[cOff + t] = sum.lane(t);
    }
  }

  /**
   * The last {@code width < L} columns over the listed rows of B, as scalar fma chains (the lanes'
   * chains, so the bits of {@link #lastColumns} and {@link #partialVectorOfColumns}), four at a
   * time; a group past the last column repeats it.
   */
  private static void lastColumnsAt(int width, int count, int[] rows, float[] a, int aOff, float[] b, int bOff,
      int ldb, float[] c, int cOff) {
    int last = width - 1;
    for (int j = 0; j < width; j += 4) {
      int j1 = Math.min(j + 1, last);
      int j2 = Math.min(j + 2, last);
      int j3 = Math.min(j + 3, last);
      float s0 = 0f;
      float s1 = 0f;
      float s2 = 0f;
      float s3 = 0f;
      for (int q = 0; q < count; q++) {
        int p = rows[q];
        int bi = bOff + p * ldb;
        float ap = a[aOff + p];
        s0 = Math.fma(ap, b[bi + j], s0);
        s1 = Math.fma(ap, b[bi + j1], s1);
        s2 = Math.fma(ap, b[bi + j2], s2);
        s3 = Math.fma(ap, b[bi + j3], s3);
      }
      c[cOff + j] = s0;
      c[cOff + j1] = s1;
      c[cOff + j2] = s2;
      c[cOff + j3] = s3;
    }
  }

  /**
   * Batch-1 product with B stored transposed ({@code [n x k]}, row stride ldb):
   * {@code c[j] (+)= dot(a[k], B[j][k])}, four rows of B
   * at a time sharing each load of a; one lane sum per output after the K loop ({@link #sumLanes}:
   * the same bits compiled or interpreted).
   */
  private static void rowTimesRowsOf(int n, int k, float[] a, int aOff, float[] b, int bOff,
      int ldb, float[] c, int cOff, boolean accumulate) {
    int kBound = S.loopBound(k);
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      int r0 = bOff + j * ldb;
      int r1 = r0 + ldb;
      int r2 = r1 + ldb;
      int r3 = r2 + ldb;
      FloatVector s0 = EXACT.cast(FloatVector.zero(S));
      FloatVector s1 = EXACT.cast(FloatVector.zero(S));
      FloatVector s2 = EXACT.cast(FloatVector.zero(S));
      FloatVector s3 = EXACT.cast(FloatVector.zero(S));
      int p = 0;
      for (; p < kBound; p += L) {
        FloatVector av = EXACT.cast(FloatVector.fromArray(S, a, aOff + p));
        s0 = av.fma(FloatVector.fromArray(S, b, r0 + p), s0);
        s1 = av.fma(FloatVector.fromArray(S, b, r1 + p), s1);
        s2 = av.fma(FloatVector.fromArray(S, b, r2 + p), s2);
        s3 = av.fma(FloatVector.fromArray(S, b, r3 + p), s3);
      }
      float d0 = sumLanes(s0);
      float d1 = sumLanes(s1);
      float d2 = sumLanes(s2);
      float d3 = sumLanes(s3);
      for (; p < k; p++) {
        float av = a[aOff + p];
        d0 += av * b[r0 + p];
        d1 += av * b[r1 + p];
        d2 += av * b[r2 + p];
        d3 += av * b[r3 + p];
      }
      int o = cOff + j;
      if (accumulate) {
        d0 += c[o];
        d1 += c[o + 1];
        d2 += c[o + 2];
        d3 += c[o + 3];
      }
      c[o] = d0;
      c[o + 1] = d1;
      c[o + 2] = d2;
      c[o + 3] = d3;
    }
    for (; j < n; j++) {
      int r0 = bOff + j * ldb;
      FloatVector s0 = EXACT.cast(FloatVector.zero(S));
      int p = 0;
      for (; p < kBound; p += L) {
        s0 = EXACT.cast(FloatVector.fromArray(S, a, aOff + p)).fma(FloatVector.fromArray(S, b, r0 + p), s0);
      }
      float d0 = sumLanes(s0);
      for (; p < k; p++) {
        d0 += a[aOff + p] * b[r0 + p];
      }
      c[cOff + j] = accumulate ? c[cOff + j] + d0 : d0;
    }
  }
}
