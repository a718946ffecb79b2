package dev.kiln.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the incubating Vector API ({@code jdk.incubator.vector}), for JDK 17 and later.
 *
 * <p>Why it is built this way (measurements in the project's DESIGN notes, Zen 5 / AVX-512):
 * <ul>
 *   <li>The species is a {@code static final} constant: a non-constant species boxes every
 *       vector and is about 10x slower. Vectors only ever live in locals.</li>
 *   <li>GEMM is a BLIS-style register-tiled micro-kernel, {@value #MR} rows x 3 vectors of
 *       accumulators with {@code fma}, over B packed into contiguous panels and A packed into
 *       {@value #MR}-row micro-panels, K blocked by {@value #KC} so the panels stay in cache.
 *       Unpacked, untiled loops reach about a seventh of that speed. Packing also absorbs the
 *       transposes of {@code gemmTransA}/{@code gemmTransB}, so one micro-kernel serves all three.
 *       Measured here (JDK 17, one core, shared machine): the micro-kernel alone runs at ~95% of
 *       the FMA peak measured in the same session, a whole 256x256x784 product at ~84%. With
 *       16 vector registers (AVX2) the 24 accumulators spill; a 4 x 3 tile would suit better.</li>
 *   <li>Edges are padded with zeros in the packed panels and computed into a small scratch tile,
 *       never with masked loads/stores, which are 5-25x slower on JDK 17.</li>
 *   <li>Batch-1 products ({@code m == 1}) skip packing: packing B would cost as much as the
 *       product itself. They stream rows of B into register accumulators.</li>
 *   <li>Scratch buffers are per thread and grow on demand, so steady-state calls allocate
 *       nothing and the kernels are safe to share between threads.</li>
 *   <li>Transcendentals use {@code lanewise(EXP)}, {@code lanewise(EXPM1)} and
 *       {@code lanewise(TANH)} (SVML-backed on x86); {@code expm1} wherever {@code exp(x) - 1}
 *       would cancel near 0, and formulas rearranged so saturating inputs never give NaN.</li>
 *   <li>Only the API that has been stable since JDK 16 is used (no byte[]/ByteBuffer/
 *       MemorySegment access), so the same class runs on JDK 17 and JDK 25.</li>
 * </ul>
 * Element-wise tails (fewer than one vector of elements) are delegated to {@link ScalarKernels},
 * the reference twin, so both implementations agree on every element within float rounding.
 *
 * <p>Never referenced directly by code that must run without the module: {@link KernelSelector}
 * instantiates it reflectively, so this class is only linked when the Vector API is present.
 */
final class VectorKernels implements Kernels {

  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** Float lanes per vector. */
  private static final int L = S.length();
  /** Rows of the GEMM micro-tile: 8 x 3 = 24 accumulators + 3 B vectors + 1 broadcast fit in 32 registers. */
  static final int MR = 8;
  /** Columns of the GEMM micro-tile (3 vectors). */
  private static final int NR = 3 * L;
  /** K block: one packed A micro-panel (8 x 256 floats) stays in L1, a B panel in L1/L2. */
  static final int KC = 256;
  /** Row block of A packed at a time (128 x 256 floats = 128 KiB, L2-resident). */
  private static final int MC = 128;

  private static final ScalarKernels SCALAR = new ScalarKernels();

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

  /** Per-thread packing buffers; grown on demand, never shrunk. */
  private static final class Scratch {
    float[] packedA = new float[0];
    float[] packedB = new float[0];
    final float[] tile = new float[MR * NR];

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

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  VectorKernels() {
    if (L < 4) {
      // Narrower than 128 bits: the Vector API would not beat plain loops.
      throw new UnsupportedOperationException("preferred float species has only " + L + " lanes");
    }
  }

  @Override
  public String description() {
    return "Vector API, " + L + " float lanes (" + S.vectorBitSize() + "-bit)";
  }

  // ---------------------------------------------------------------- matrix products

  @Override
  public void gemm(int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, boolean accumulate) {
    if (m == 1 && k > 0) {
      rowTimesMatrix(n, k, a, aOff, b, bOff, c, cOff, accumulate);
    } else {
      packedGemm(m, n, k, a, aOff, false, b, bOff, false, c, cOff, accumulate);
    }
  }

  @Override
  public void gemmTransA(int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, boolean accumulate) {
    if (m == 1 && k > 0) {
      // A stored [k x 1] is the same contiguous k-vector as a [1 x k] row.
      rowTimesMatrix(n, k, a, aOff, b, bOff, c, cOff, accumulate);
    } else {
      packedGemm(m, n, k, a, aOff, true, b, bOff, false, c, cOff, accumulate);
    }
  }

  @Override
  public void gemmTransB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, boolean accumulate) {
    if (m == 1 && k > 0) {
      rowTimesRowsOf(n, k, a, aOff, b, bOff, c, cOff, accumulate);
    } else {
      packedGemm(m, n, k, a, aOff, false, b, bOff, true, c, cOff, accumulate);
    }
  }

  /**
   * The blocked product {@code C (+)= op(A) op(B)}. Loop order (outer to inner): K blocks, pack B
   * for the whole width; row blocks of A, pack them; B panels; A micro-panels; micro-kernel.
   * A B panel is reused by every A micro-panel of the row block while it is hot.
   */
  private static void packedGemm(int m, int n, int k, float[] a, int aOff, boolean aTransposed,
      float[] b, int bOff, boolean bTransposed, float[] c, int cOff, boolean accumulate) {
    if (m <= 0 || n <= 0) {
      return;
    }
    if (k <= 0) {
      if (!accumulate) {
        java.util.Arrays.fill(c, cOff, cOff + m * n, 0f);
      }
      return;
    }
    Scratch scratch = SCRATCH.get();
    int fullPanels = n / NR;
    int edgeCols = n - fullPanels * NR;
    int edgeWidth = (edgeCols + L - 1) / L * L;
    // K blocks of near-equal size (784 -> 4 x 196, not 3 x 256 + 16): no thin last block.
    int kBlocks = (k + KC - 1) / KC;
    int kcMax = (k + kBlocks - 1) / kBlocks;
    int mcMax = Math.min((m + MR - 1) / MR * MR, MC);
    float[] bp = scratch.packedB(kcMax * (fullPanels * NR + edgeWidth));
    float[] ap = scratch.packedA(kcMax * mcMax);
    float[] tile = scratch.tile;

    for (int k0 = 0; k0 < k; k0 += kcMax) {
      int kc = Math.min(kcMax, k - k0);
      boolean loadC = accumulate || k0 > 0;
      if (bTransposed) {
        packBTransposed(n, k, kc, k0, fullPanels, edgeCols, edgeWidth, b, bOff, bp);
      } else {
        packB(n, kc, k0, fullPanels, edgeCols, edgeWidth, b, bOff, bp);
      }
      int edgePanel = fullPanels * kc * NR;

      for (int i0 = 0; i0 < m; i0 += MC) {
        int mc = Math.min(MC, m - i0);
        if (aTransposed) {
          packATransposed(m, mc, i0, kc, k0, a, aOff, ap);
        } else {
          packA(k, mc, i0, kc, k0, a, aOff, ap);
        }
        for (int jp = 0; jp < fullPanels; jp++) {
          int bo = jp * kc * NR;
          for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int ao = ir * kc;
            int co = cOff + (i0 + ir) * n + jp * NR;
            if (rows == MR) {
              kernel8x3(kc, ap, ao, bp, bo, c, co, n, loadC);
            } else {
              kernel8x3(kc, ap, ao, bp, bo, tile, 0, NR, false);
              mergeTile(tile, NR, rows, NR, c, co, n, loadC);
            }
          }
        }
        for (int jv = 0; jv < edgeWidth; jv += L) {
          int cols = Math.min(L, edgeCols - jv);
          for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int ao = ir * kc;
            int co = cOff + (i0 + ir) * n + fullPanels * NR + jv;
            if (rows == MR && cols == L) {
              kernel8x1(kc, ap, ao, bp, edgePanel + jv, edgeWidth, c, co, n, loadC);
            } else {
              kernel8x1(kc, ap, ao, bp, edgePanel + jv, edgeWidth, tile, 0, L, false);
              mergeTile(tile, L, rows, cols, c, co, n, loadC);
            }
          }
        }
      }
    }
  }

  /** Packs rows k0..k0+kc of B [k x n] into panels of NR columns, then one zero-padded edge panel. */
  private static void packB(int n, int kc, int k0, int fullPanels, int edgeCols, int edgeWidth,
      float[] b, int bOff, float[] bp) {
    int dst = 0;
    for (int jp = 0; jp < fullPanels; jp++) {
      int src = bOff + k0 * n + jp * NR;
      for (int p = 0; p < kc; p++, src += n, dst += NR) {
        FloatVector.fromArray(S, b, src).intoArray(bp, dst);
        FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
        FloatVector.fromArray(S, b, src + 2 * L).intoArray(bp, dst + 2 * L);
      }
    }
    if (edgeWidth > 0) {
      int src = bOff + k0 * n + fullPanels * NR;
      for (int p = 0; p < kc; p++, src += n, dst += edgeWidth) {
        System.arraycopy(b, src, bp, dst, edgeCols);
        java.util.Arrays.fill(bp, dst + edgeCols, dst + edgeWidth, 0f);
      }
    }
  }

  /** As {@link #packB} for B stored transposed, {@code [n x k]}: the packed panels are identical. */
  private static void packBTransposed(int n, int k, int kc, int k0, int fullPanels, int edgeCols,
      int edgeWidth, float[] b, int bOff, float[] bp) {
    for (int jp = 0; jp < fullPanels; jp++) {
      int dst = jp * kc * NR;
      for (int jj = 0; jj < NR; jj++) {
        int src = bOff + (jp * NR + jj) * k + k0;
        for (int p = 0, d = dst + jj; p < kc; p++, d += NR) {
          bp[d] = b[src + p];
        }
      }
    }
    if (edgeWidth > 0) {
      int dst = fullPanels * kc * NR;
      for (int jj = 0; jj < edgeWidth; jj++) {
        if (jj < edgeCols) {
          int src = bOff + (fullPanels * NR + jj) * k + k0;
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
   * Packs rows i0..i0+mc, columns k0..k0+kc of A [m x k] into MR-row micro-panels, each stored
   * column by column ({@code ap[panel][p * MR + r]}), rows past the end zero.
   */
  private static void packA(int k, int mc, int i0, int kc, int k0, float[] a, int aOff, float[] ap) {
    for (int ir = 0; ir < mc; ir += MR) {
      int dst = ir * kc;
      int rows = Math.min(MR, mc - ir);
      for (int r = 0; r < MR; r++) {
        if (r < rows) {
          int src = aOff + (i0 + ir + r) * k + k0;
          for (int p = 0, d = dst + r; p < kc; p++, d += MR) {
            ap[d] = a[src + p];
          }
        } else {
          for (int p = 0, d = dst + r; p < kc; p++, d += MR) {
            ap[d] = 0f;
          }
        }
      }
    }
  }

  /** As {@link #packA} for A stored transposed, {@code [k x m]}: each packed column is contiguous there. */
  private static void packATransposed(int m, int mc, int i0, int kc, int k0, float[] a, int aOff,
      float[] ap) {
    for (int ir = 0; ir < mc; ir += MR) {
      int dst = ir * kc;
      int rows = Math.min(MR, mc - ir);
      int src = aOff + k0 * m + i0 + ir;
      for (int p = 0; p < kc; p++, src += m, dst += MR) {
        System.arraycopy(a, src, ap, dst, rows);
        for (int r = rows; r < MR; r++) {
          ap[dst + r] = 0f;
        }
      }
    }
  }

  /** Copies (or adds) the valid {@code rows x cols} corner of a scratch tile into C. */
  private static void mergeTile(float[] tile, int ldt, int rows, int cols, float[] c, int cOff,
      int ldc, boolean add) {
    for (int r = 0; r < rows; r++) {
      int t = r * ldt;
      int o = cOff + r * ldc;
      if (add) {
        for (int j = 0; j < cols; j++) {
          c[o + j] += tile[t + j];
        }
      } else {
        System.arraycopy(tile, t, c, o, cols);
      }
    }
  }


  // The micro-kernels below are unrolled by hand: C2 keeps every accumulator in a register only
  // when each is its own local.

  /**
   * {@code C[8 x NR] (+)= Apanel[8 x kc] * Bpanel[kc x NR]} with both panels packed
   * ({@code ap[p * MR + r]}, {@code bp[p * NR + j]}). {@code loadC} adds the existing C.
   */
  private static void kernel8x3(int kc, float[] ap, int apOff, float[] bp, int bpOff,
      float[] c, int cOff, int ldc, boolean loadC) {
    FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S); FloatVector c02 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S); FloatVector c12 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S); FloatVector c22 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S); FloatVector c32 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S); FloatVector c42 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S); FloatVector c52 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S); FloatVector c62 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S); FloatVector c71 = FloatVector.zero(S); FloatVector c72 = FloatVector.zero(S);
    for (int p = 0, ai = apOff, bi = bpOff; p < kc; p++, ai += MR, bi += NR) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
      FloatVector b2 = FloatVector.fromArray(S, bp, bi + 2 * L);
      FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02);
      FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12);
      FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22);
      FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32);
      FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41); c42 = a4.fma(b2, c42);
      FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51); c52 = a5.fma(b2, c52);
      FloatVector a6 = FloatVector.broadcast(S, ap[ai + 6]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61); c62 = a6.fma(b2, c62);
      FloatVector a7 = FloatVector.broadcast(S, ap[ai + 7]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71); c72 = a7.fma(b2, c72);
    }
    if (loadC) {
      int o0 = cOff;
      c00 = c00.add(FloatVector.fromArray(S, c, o0));
      c01 = c01.add(FloatVector.fromArray(S, c, o0 + L));
      c02 = c02.add(FloatVector.fromArray(S, c, o0 + 2 * L));
      int o1 = cOff + ldc;
      c10 = c10.add(FloatVector.fromArray(S, c, o1));
      c11 = c11.add(FloatVector.fromArray(S, c, o1 + L));
      c12 = c12.add(FloatVector.fromArray(S, c, o1 + 2 * L));
      int o2 = cOff + 2 * ldc;
      c20 = c20.add(FloatVector.fromArray(S, c, o2));
      c21 = c21.add(FloatVector.fromArray(S, c, o2 + L));
      c22 = c22.add(FloatVector.fromArray(S, c, o2 + 2 * L));
      int o3 = cOff + 3 * ldc;
      c30 = c30.add(FloatVector.fromArray(S, c, o3));
      c31 = c31.add(FloatVector.fromArray(S, c, o3 + L));
      c32 = c32.add(FloatVector.fromArray(S, c, o3 + 2 * L));
      int o4 = cOff + 4 * ldc;
      c40 = c40.add(FloatVector.fromArray(S, c, o4));
      c41 = c41.add(FloatVector.fromArray(S, c, o4 + L));
      c42 = c42.add(FloatVector.fromArray(S, c, o4 + 2 * L));
      int o5 = cOff + 5 * ldc;
      c50 = c50.add(FloatVector.fromArray(S, c, o5));
      c51 = c51.add(FloatVector.fromArray(S, c, o5 + L));
      c52 = c52.add(FloatVector.fromArray(S, c, o5 + 2 * L));
      int o6 = cOff + 6 * ldc;
      c60 = c60.add(FloatVector.fromArray(S, c, o6));
      c61 = c61.add(FloatVector.fromArray(S, c, o6 + L));
      c62 = c62.add(FloatVector.fromArray(S, c, o6 + 2 * L));
      int o7 = cOff + 7 * ldc;
      c70 = c70.add(FloatVector.fromArray(S, c, o7));
      c71 = c71.add(FloatVector.fromArray(S, c, o7 + L));
      c72 = c72.add(FloatVector.fromArray(S, c, o7 + 2 * L));
    }
    int s0 = cOff;
    c00.intoArray(c, s0); c01.intoArray(c, s0 + L); c02.intoArray(c, s0 + 2 * L);
    int s1 = cOff + ldc;
    c10.intoArray(c, s1); c11.intoArray(c, s1 + L); c12.intoArray(c, s1 + 2 * L);
    int s2 = cOff + 2 * ldc;
    c20.intoArray(c, s2); c21.intoArray(c, s2 + L); c22.intoArray(c, s2 + 2 * L);
    int s3 = cOff + 3 * ldc;
    c30.intoArray(c, s3); c31.intoArray(c, s3 + L); c32.intoArray(c, s3 + 2 * L);
    int s4 = cOff + 4 * ldc;
    c40.intoArray(c, s4); c41.intoArray(c, s4 + L); c42.intoArray(c, s4 + 2 * L);
    int s5 = cOff + 5 * ldc;
    c50.intoArray(c, s5); c51.intoArray(c, s5 + L); c52.intoArray(c, s5 + 2 * L);
    int s6 = cOff + 6 * ldc;
    c60.intoArray(c, s6); c61.intoArray(c, s6 + L); c62.intoArray(c, s6 + 2 * L);
    int s7 = cOff + 7 * ldc;
    c70.intoArray(c, s7); c71.intoArray(c, s7 + L); c72.intoArray(c, s7 + 2 * L);
  }

  /**
   * One vector column of the edge panel: {@code C[8 x L] (+)= Apanel * Bpanel[kc x L]}, where
   * consecutive rows of the B panel are {@code bpStride} apart.
   */
  private static void kernel8x1(int kc, float[] ap, int apOff, float[] bp, int bpOff, int bpStride,
      float[] c, int cOff, int ldc, boolean loadC) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S);
    for (int p = 0, ai = apOff, bi = bpOff; p < kc; p++, ai += MR, bi += bpStride) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
      c00 = a0.fma(b0, c00);
      FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
      c10 = a1.fma(b0, c10);
      FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
      c20 = a2.fma(b0, c20);
      FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
      c30 = a3.fma(b0, c30);
      FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
      c40 = a4.fma(b0, c40);
      FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
      c50 = a5.fma(b0, c50);
      FloatVector a6 = FloatVector.broadcast(S, ap[ai + 6]);
      c60 = a6.fma(b0, c60);
      FloatVector a7 = FloatVector.broadcast(S, ap[ai + 7]);
      c70 = a7.fma(b0, c70);
    }
    if (loadC) {
      int o0 = cOff;
      c00 = c00.add(FloatVector.fromArray(S, c, o0));
      int o1 = cOff + ldc;
      c10 = c10.add(FloatVector.fromArray(S, c, o1));
      int o2 = cOff + 2 * ldc;
      c20 = c20.add(FloatVector.fromArray(S, c, o2));
      int o3 = cOff + 3 * ldc;
      c30 = c30.add(FloatVector.fromArray(S, c, o3));
      int o4 = cOff + 4 * ldc;
      c40 = c40.add(FloatVector.fromArray(S, c, o4));
      int o5 = cOff + 5 * ldc;
      c50 = c50.add(FloatVector.fromArray(S, c, o5));
      int o6 = cOff + 6 * ldc;
      c60 = c60.add(FloatVector.fromArray(S, c, o6));
      int o7 = cOff + 7 * ldc;
      c70 = c70.add(FloatVector.fromArray(S, c, o7));
    }
    int s0 = cOff;
    c00.intoArray(c, s0);
    int s1 = cOff + ldc;
    c10.intoArray(c, s1);
    int s2 = cOff + 2 * ldc;
    c20.intoArray(c, s2);
    int s3 = cOff + 3 * ldc;
    c30.intoArray(c, s3);
    int s4 = cOff + 4 * ldc;
    c40.intoArray(c, s4);
    int s5 = cOff + 5 * ldc;
    c50.intoArray(c, s5);
    int s6 = cOff + 6 * ldc;
    c60.intoArray(c, s6);
    int s7 = cOff + 7 * ldc;
    c70.intoArray(c, s7);
  }

  /**
   * Batch-1 product {@code c[n] (+)= a[k] * B[k x n]}: streams B row by row into register
   * accumulators, eight vectors of columns at a time (eight independent fma chains and eight
   * cache lines in flight per row; 20-30% faster than four), then narrower; no packing.
   */
  private static void rowTimesMatrix(int n, int k, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, boolean accumulate) {
    int j = 0;
    for (; j + 8 * L <= n; j += 8 * L) {
      FloatVector s0 = FloatVector.zero(S);
      FloatVector s1 = FloatVector.zero(S);
      FloatVector s2 = FloatVector.zero(S);
      FloatVector s3 = FloatVector.zero(S);
      FloatVector s4 = FloatVector.zero(S);
      FloatVector s5 = FloatVector.zero(S);
      FloatVector s6 = FloatVector.zero(S);
      FloatVector s7 = FloatVector.zero(S);
      for (int p = 0, bi = bOff + j; p < k; p++, bi += n) {
        FloatVector av = FloatVector.broadcast(S, a[aOff + p]);
        s0 = FloatVector.fromArray(S, b, bi).fma(av, s0);
        s1 = FloatVector.fromArray(S, b, bi + L).fma(av, s1);
        s2 = FloatVector.fromArray(S, b, bi + 2 * L).fma(av, s2);
        s3 = FloatVector.fromArray(S, b, bi + 3 * L).fma(av, s3);
        s4 = FloatVector.fromArray(S, b, bi + 4 * L).fma(av, s4);
        s5 = FloatVector.fromArray(S, b, bi + 5 * L).fma(av, s5);
        s6 = FloatVector.fromArray(S, b, bi + 6 * L).fma(av, s6);
        s7 = FloatVector.fromArray(S, b, bi + 7 * L).fma(av, s7);
      }
      int o = cOff + j;
      if (accumulate) {
        s0 = s0.add(FloatVector.fromArray(S, c, o));
        s1 = s1.add(FloatVector.fromArray(S, c, o + L));
        s2 = s2.add(FloatVector.fromArray(S, c, o + 2 * L));
        s3 = s3.add(FloatVector.fromArray(S, c, o + 3 * L));
        s4 = s4.add(FloatVector.fromArray(S, c, o + 4 * L));
        s5 = s5.add(FloatVector.fromArray(S, c, o + 5 * L));
        s6 = s6.add(FloatVector.fromArray(S, c, o + 6 * L));
        s7 = s7.add(FloatVector.fromArray(S, c, o + 7 * L));
      }
      s0.intoArray(c, o);
      s1.intoArray(c, o + L);
      s2.intoArray(c, o + 2 * L);
      s3.intoArray(c, o + 3 * L);
      s4.intoArray(c, o + 4 * L);
      s5.intoArray(c, o + 5 * L);
      s6.intoArray(c, o + 6 * L);
      s7.intoArray(c, o + 7 * L);
    }
    for (; j + 2 * L <= n; j += 2 * L) {
      FloatVector s0 = FloatVector.zero(S);
      FloatVector s1 = FloatVector.zero(S);
      for (int p = 0, bi = bOff + j; p < k; p++, bi += n) {
        FloatVector av = FloatVector.broadcast(S, a[aOff + p]);
        s0 = FloatVector.fromArray(S, b, bi).fma(av, s0);
        s1 = FloatVector.fromArray(S, b, bi + L).fma(av, s1);
      }
      int o = cOff + j;
      if (accumulate) {
        s0 = s0.add(FloatVector.fromArray(S, c, o));
        s1 = s1.add(FloatVector.fromArray(S, c, o + L));
      }
      s0.intoArray(c, o);
      s1.intoArray(c, o + L);
    }
    for (; j + L <= n; j += L) {
      FloatVector s0 = FloatVector.zero(S);
      for (int p = 0, bi = bOff + j; p < k; p++, bi += n) {
        s0 = FloatVector.fromArray(S, b, bi).fma(FloatVector.broadcast(S, a[aOff + p]), s0);
      }
      if (accumulate) {
        s0 = s0.add(FloatVector.fromArray(S, c, cOff + j));
      }
      s0.intoArray(c, cOff + j);
    }
    for (; j < n; j++) {
      float sum = 0f;
      for (int p = 0, bi = bOff + j; p < k; p++, bi += n) {
        sum += a[aOff + p] * b[bi];
      }
      c[cOff + j] = accumulate ? c[cOff + j] + sum : sum;
    }
  }

  /**
   * Batch-1 product with B stored transposed: {@code c[j] (+)= dot(a[k], B[j][k])}, four rows of B
   * at a time sharing each load of a; one lane reduction per output, after the K loop.
   */
  private static void rowTimesRowsOf(int n, int k, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, boolean accumulate) {
    int kBound = S.loopBound(k);
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      int r0 = bOff + j * k;
      int r1 = r0 + k;
      int r2 = r1 + k;
      int r3 = r2 + k;
      FloatVector s0 = FloatVector.zero(S);
      FloatVector s1 = FloatVector.zero(S);
      FloatVector s2 = FloatVector.zero(S);
      FloatVector s3 = FloatVector.zero(S);
      int p = 0;
      for (; p < kBound; p += L) {
        FloatVector av = FloatVector.fromArray(S, a, aOff + p);
        s0 = FloatVector.fromArray(S, b, r0 + p).fma(av, s0);
        s1 = FloatVector.fromArray(S, b, r1 + p).fma(av, s1);
        s2 = FloatVector.fromArray(S, b, r2 + p).fma(av, s2);
        s3 = FloatVector.fromArray(S, b, r3 + p).fma(av, s3);
      }
      float d0 = s0.reduceLanes(VectorOperators.ADD);
      float d1 = s1.reduceLanes(VectorOperators.ADD);
      float d2 = s2.reduceLanes(VectorOperators.ADD);
      float d3 = s3.reduceLanes(VectorOperators.ADD);
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
      int r0 = bOff + j * k;
      FloatVector s0 = FloatVector.zero(S);
      int p = 0;
      for (; p < kBound; p += L) {
        s0 = FloatVector.fromArray(S, b, r0 + p).fma(FloatVector.fromArray(S, a, aOff + p), s0);
      }
      float d0 = s0.reduceLanes(VectorOperators.ADD);
      for (; p < k; p++) {
        d0 += a[aOff + p] * b[r0 + p];
      }
      c[cOff + j] = accumulate ? c[cOff + j] + d0 : d0;
    }
  }

  @Override
  public void addRowVector(int rows, int cols, float[] v, int vOff, float[] x, int xOff) {
    int bound = S.loopBound(cols);
    for (int r = 0; r < rows; r++) {
      int row = xOff + r * cols;
      int j = 0;
      for (; j < bound; j += L) {
        FloatVector.fromArray(S, x, row + j).add(FloatVector.fromArray(S, v, vOff + j))
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
      FloatVector s0 = FloatVector.zero(S);
      FloatVector s1 = FloatVector.zero(S);
      FloatVector s2 = FloatVector.zero(S);
      FloatVector s3 = FloatVector.zero(S);
      for (int r = 0, xi = xOff + j; r < rows; r++, xi += cols) {
        s0 = s0.add(FloatVector.fromArray(S, x, xi));
        s1 = s1.add(FloatVector.fromArray(S, x, xi + L));
        s2 = s2.add(FloatVector.fromArray(S, x, xi + 2 * L));
        s3 = s3.add(FloatVector.fromArray(S, x, xi + 3 * L));
      }
      int o = outOff + j;
      if (accumulate) {
        s0 = s0.add(FloatVector.fromArray(S, out, o));
        s1 = s1.add(FloatVector.fromArray(S, out, o + L));
        s2 = s2.add(FloatVector.fromArray(S, out, o + 2 * L));
        s3 = s3.add(FloatVector.fromArray(S, out, o + 3 * L));
      }
      s0.intoArray(out, o);
      s1.intoArray(out, o + L);
      s2.intoArray(out, o + 2 * L);
      s3.intoArray(out, o + 3 * L);
    }
    for (; j + L <= cols; j += L) {
      FloatVector s0 = FloatVector.zero(S);
      for (int r = 0, xi = xOff + j; r < rows; r++, xi += cols) {
        s0 = s0.add(FloatVector.fromArray(S, x, xi));
      }
      if (accumulate) {
        s0 = s0.add(FloatVector.fromArray(S, out, outOff + j));
      }
      s0.intoArray(out, outOff + j);
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
    FloatVector zero = FloatVector.zero(S);
    for (int i = 0; i < bound; i += L) {
      FloatVector.fromArray(S, x, xOff + i).max(zero).intoArray(y, yOff + i);
    }
    SCALAR.relu(n - bound, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void leakyRelu(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xOff + i);
      v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yOff + i);
    }
    SCALAR.leakyRelu(n - bound, alpha, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void elu(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xOff + i);
      FloatVector negative = v.min(0f).lanewise(VectorOperators.EXPM1).mul(alpha);
      negative.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yOff + i);
    }
    SCALAR.elu(n - bound, alpha, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void selu(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xOff + i);
      FloatVector negative = v.min(0f).lanewise(VectorOperators.EXPM1).mul(SELU_SCALE_ALPHA);
      negative.blend(v.mul(SELU_SCALE), v.compare(VectorOperators.GT, 0f)).intoArray(y, yOff + i);
    }
    SCALAR.selu(n - bound, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void sigmoid(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      sigmoid(FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
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
      FloatVector.fromArray(S, x, xOff + i).lanewise(VectorOperators.TANH).intoArray(y, yOff + i);
    }
    SCALAR.tanh(n - bound, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void swish(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xOff + i);
      v.mul(sigmoid(v)).intoArray(y, yOff + i);
    }
    SCALAR.swish(n - bound, x, xOff + bound, y, yOff + bound);
  }

  @Override
  public void gelu(int n, float[] x, int xOff, float[] y, int yOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xOff + i);
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
      FloatVector v = FloatVector.fromArray(S, x, xOff + i);
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
    FloatVector zero = FloatVector.zero(S);
    for (int i = 0; i < bound; i += L) {
      VectorMask<Float> positive = FloatVector.fromArray(S, x, xOff + i).compare(VectorOperators.GT, 0f);
      zero.blend(FloatVector.fromArray(S, dy, dyOff + i), positive).intoArray(dx, dxOff + i);
    }
    SCALAR.reluBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound, dx, dxOff + bound);
  }

  @Override
  public void leakyReluBackward(int n, float alpha, float[] x, int xOff, float[] y, int yOff,
      float[] dy, int dyOff, float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      VectorMask<Float> positive = FloatVector.fromArray(S, x, xOff + i).compare(VectorOperators.GT, 0f);
      FloatVector g = FloatVector.fromArray(S, dy, dyOff + i);
      g.mul(alpha).blend(g, positive).intoArray(dx, dxOff + i);
    }
    SCALAR.leakyReluBackward(n - bound, alpha, x, xOff + bound, y, yOff + bound, dy, dyOff + bound,
        dx, dxOff + bound);
  }

  @Override
  public void eluBackward(int n, float alpha, float[] x, int xOff, float[] y, int yOff,
      float[] dy, int dyOff, float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xOff + i);
      FloatVector g = FloatVector.fromArray(S, dy, dyOff + i);
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
      FloatVector v = FloatVector.fromArray(S, x, xOff + i);
      FloatVector g = FloatVector.fromArray(S, dy, dyOff + i);
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
      FloatVector s = FloatVector.fromArray(S, y, yOff + i);
      FloatVector g = FloatVector.fromArray(S, dy, dyOff + i);
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
      FloatVector t = FloatVector.fromArray(S, y, yOff + i);
      FloatVector g = FloatVector.fromArray(S, dy, dyOff + i);
      g.mul(t.mul(t).neg().add(1f)).intoArray(dx, dxOff + i);
    }
    SCALAR.tanhBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound, dx, dxOff + bound);
  }

  @Override
  public void swishBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xOff + i);
      FloatVector s = sigmoid(v);
      // s + x s (1 - s)
      FloatVector slope = v.mul(s).mul(s.neg().add(1f)).add(s);
      slope.mul(FloatVector.fromArray(S, dy, dyOff + i)).intoArray(dx, dxOff + i);
    }
    SCALAR.swishBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound, dx, dxOff + bound);
  }

  @Override
  public void geluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xOff + i);
      FloatVector gauss = expMinusHalfSquare(v);
      FloatVector halfErfc = erfcOfAbsScaled(v, gauss).mul(0.5f);
      FloatVector cdf = halfErfc.neg().add(1f).blend(halfErfc, v.compare(VectorOperators.LT, 0f));
      // Phi(x) + x phi(x)
      FloatVector slope = v.mul(gauss).fma(FloatVector.broadcast(S, INV_SQRT_2PI), cdf);
      slope.mul(FloatVector.fromArray(S, dy, dyOff + i)).intoArray(dx, dxOff + i);
    }
    SCALAR.geluBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound, dx, dxOff + bound);
  }

  @Override
  public void geluTanhBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy,
      int dyOff, float[] dx, int dxOff) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xOff + i);
      FloatVector square = v.mul(v);
      FloatVector s = sigmoid(square.fma(GELU_TANH_K1, GELU_TANH_K0).mul(v));
      // s + x s (1 - s) (2u)', with (2u)' = K0 + 3 K1 x^2
      FloatVector twoUPrime = square.fma(3f * GELU_TANH_K1, GELU_TANH_K0);
      FloatVector slope = v.mul(s).mul(s.neg().add(1f)).fma(twoUPrime, s);
      slope.mul(FloatVector.fromArray(S, dy, dyOff + i)).intoArray(dx, dxOff + i);
    }
    SCALAR.geluTanhBackward(n - bound, x, xOff + bound, y, yOff + bound, dy, dyOff + bound,
        dx, dxOff + bound);
  }

  // ---------------------------------------------------------------- softmax

  @Override
  public void softmax(int rows, int cols, float invTemperature, float[] x, int xOff,
      float[] y, int yOff) {
    int bound = S.loopBound(cols);
    for (int r = 0; r < rows; r++) {
      int xr = xOff + r * cols;
      int yr = yOff + r * cols;
      FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
      int j = 0;
      for (; j < bound; j += L) {
        vmax = vmax.max(FloatVector.fromArray(S, x, xr + j).mul(invTemperature));
      }
      float max = vmax.reduceLanes(VectorOperators.MAX);
      for (; j < cols; j++) {
        max = Math.max(max, x[xr + j] * invTemperature);
      }
      FloatVector vsum = FloatVector.zero(S);
      for (j = 0; j < bound; j += L) {
        FloatVector e = FloatVector.fromArray(S, x, xr + j).mul(invTemperature).sub(max)
            .lanewise(VectorOperators.EXP);
        e.intoArray(y, yr + j);
        vsum = vsum.add(e);
      }
      float sum = vsum.reduceLanes(VectorOperators.ADD);
      for (; j < cols; j++) {
        float e = (float) Math.exp(x[xr + j] * invTemperature - max);
        y[yr + j] = e;
        sum += e;
      }
      float inv = 1f / sum;
      for (j = 0; j < bound; j += L) {
        FloatVector.fromArray(S, y, yr + j).mul(inv).intoArray(y, yr + j);
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
      FloatVector vdot = FloatVector.zero(S);
      int j = 0;
      for (; j < bound; j += L) {
        vdot = FloatVector.fromArray(S, dy, gr + j).fma(FloatVector.fromArray(S, y, yr + j), vdot);
      }
      float dot = vdot.reduceLanes(VectorOperators.ADD);
      for (; j < cols; j++) {
        dot += dy[gr + j] * y[yr + j];
      }
      for (j = 0; j < bound; j += L) {
        FloatVector s = FloatVector.fromArray(S, y, yr + j);
        FloatVector.fromArray(S, dy, gr + j).sub(dot).mul(s).mul(invTemperature).intoArray(dx, dr + j);
      }
      for (; j < cols; j++) {
        dx[dr + j] = invTemperature * y[yr + j] * (dy[gr + j] - dot);
      }
    }
  }

  // ---------------------------------------------------------------- vector helpers

  /** {@code 1 / (1 + exp(-x))}: exp overflows to +inf for x below about -88, giving 0, never NaN. */
  private static FloatVector sigmoid(FloatVector v) {
    return FloatVector.broadcast(S, 1f).div(v.neg().lanewise(VectorOperators.EXP).add(1f));
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
    FloatVector t = FloatVector.broadcast(S, 1f).div(v.abs().fma(ERFC_P_X, 1f));
    FloatVector poly = FloatVector.broadcast(S, E10);
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
