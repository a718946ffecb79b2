package dev.kiln.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch-1 products over bfloat16 weights ({@link Gemm#gemmBf16}): {@code c[n] (+)= a[k] B[k x n]},
 * B's rows streamed into register accumulators as {@code VectorGemm}'s batch-1 kernels do. B is
 * laid out by {@link #pack} in the column groups the kernel visits (8L columns at a time, then 2L,
 * then L, then the last few), each group's k rows one after another, so every group is read as one
 * sequential stream: row-major, 784x256 took 4.7 us where its rows began on a 64-byte line and
 * 5.5-6.1 us elsewhere (a JVM places an array where it will); grouped, 4.1-4.4 us at every offset.
 * Within a row of a group, blocks of 2L columns are stored as pairs (column j0 + i, column j0 + L +
 * i), so one load of 2L shorts reinterpreted as L ints gives two vectors of weights with one
 * instruction each (a shift left by 16 for the low halves, a mask for the high ones); the columns
 * after the last whole block stay in order and are widened from L shorts (sign-extend, shift). Each
 * element is one fma chain in K order from zero or from C, the chain {@code VectorGemm} computes,
 * so the results equal the float32 product over the widened weights bit for bit. Each run of
 * columns is a method of its own, as in VectorGemm (C2 left a vector loop un-intrinsified in a big
 * method). Linked only through VectorGemm.
 */
final class VectorBf16Rows {
  private VectorBf16Rows() {}

  private static final VectorSpecies<Float> S = VectorGemm.S;
  private static final int L = S.length();
  /** L shorts: half the bits of a float vector. */
  private static final VectorSpecies<Short> HALF = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
  /** L ints: the float vector's shape. */
  private static final VectorSpecies<Integer> WIDE = VectorSpecies.of(int.class, S.vectorShape());
  /** Concrete vector classes, cast to where vectors are made (see {@code VectorGemm.EXACT}). */
  private static final Class<? extends FloatVector> EXACT = VectorGemm.EXACT;
  private static final Class<? extends ShortVector> HALF_EXACT = ShortVector.zero(HALF).getClass();
  private static final Class<? extends IntVector> WIDE_EXACT = IntVector.zero(WIDE).getClass();
  /** 2L shorts: a float vector's bits, read as L pairs. */
  private static final VectorSpecies<Short> PAIRS = VectorSpecies.of(short.class, S.vectorShape());
  private static final Class<? extends ShortVector> PAIRS_EXACT = ShortVector.zero(PAIRS).getClass();
  /** Keeps the high half of each int: the second column of a pair, as float bits. */
  private static final int HIGH_HALF = 0xFFFF_0000;
  /** Where accumulators start when not accumulating: VectorGemm's eight vectors of zeros. */
  private static final float[] ZEROS = VectorGemm.ZEROS;

  /** Columns in pairs: the whole blocks of 2L in a row of {@code n}. */
  private static int pairedColumns(int n) {
    return n / (2 * L) * (2 * L);
  }

  /**
   * The width of the column group that starts at column j of n: 8L or 2L within the paired
   * columns (as {@link #rowTimesMatrix} visits them), else L, else what is left.
   */
  private static int groupWidth(int j, int n) {
    int paired = pairedColumns(n);
    if (j + 8 * L <= paired) {
      return 8 * L;
    }
    if (j + 2 * L <= paired) {
      return 2 * L;
    }
    return j + L <= n ? L : n - j;
  }

  /**
   * Rounds a float32 matrix ({@code rows} = k rows of {@code cols} = n, row stride {@code ld}, at
   * {@code offset}) into the layout {@link #rowTimesMatrix} reads (see the class comment): the
   * group that starts at column j holds its rows from {@code offset + j * rows} on, {@code rows *
   * width} shorts, inside the source's own extent.
   */
  static void pack(int rows, int cols, float[] src, int offset, int ld, short[] dst) {
    int paired = pairedColumns(cols);
    for (int j = 0, width; j < cols; j += width) {
      width = groupWidth(j, cols);
      for (int r = 0, out = offset + j * rows; r < rows; r++, out += width) {
        int in = offset + r * ld + j;
        if (j < paired) {
          for (int b = 0; b < width; b += 2 * L) {
            for (int i = 0; i < L; i++) {
              dst[out + b + 2 * i] = BFloat16.fromFloat(src[in + b + i]);
              dst[out + b + 2 * i + 1] = BFloat16.fromFloat(src[in + b + L + i]);
            }
          }
        } else {
          for (int i = 0; i < width; i++) {
            dst[out + i] = BFloat16.fromFloat(src[in + i]);
          }
        }
      }
    }
  }

  /** {@code c[n] (+)= a[k] B}, B as {@link #pack} laid it out at {@code bOff}. */
  static void rowTimesMatrix(int n, int k, float[] a, int aOff, short[] b, int bOff, float[] c, int cOff,
      boolean accumulate) {
    int paired = pairedColumns(n);
    // Four pairs at a time: eight pairs (sixteen accumulators) measured the same on AVX-512.
    int j = 0;
    for (; j + 8 * L <= paired; j += 8 * L) {
      fourPairsOfColumns(k, a, aOff, b, bOff + j * k, c, cOff + j, accumulate);
    }
    for (; j + 2 * L <= paired; j += 2 * L) {
      onePairOfColumns(k, a, aOff, b, bOff + j * k, c, cOff + j, accumulate);
    }
    for (; j + L <= n; j += L) {
      oneVectorOfColumns(k, a, aOff, b, bOff + j * k, c, cOff + j, accumulate);
    }
    lastColumns(j, n, k, a, aOff, b, bOff, c, cOff, accumulate);
  }

  /**
   * Four pairs of columns (eight vectors), their group at {@code bOff}: one run per call, the
   * caller looping (see VectorGemm.rowTimesMatrix).
   */
  private static void fourPairsOfColumns(int k, float[] a, int aOff, short[] b, int bOff, float[] c, int cOff,
      boolean accumulate) {
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
    for (int p = 0, bi = bOff; p < k; p++, bi += 8 * L) {
      FloatVector av = EXACT.cast(FloatVector.broadcast(S, a[aOff + p]));
      IntVector w0 = WIDE_EXACT.cast(PAIRS_EXACT.cast(ShortVector.fromArray(PAIRS, b, bi)).reinterpretAsInts());
      IntVector w1 = WIDE_EXACT.cast(PAIRS_EXACT.cast(ShortVector.fromArray(PAIRS, b, bi + 2 * L)).reinterpretAsInts());
      IntVector w2 = WIDE_EXACT.cast(PAIRS_EXACT.cast(ShortVector.fromArray(PAIRS, b, bi + 4 * L)).reinterpretAsInts());
      IntVector w3 = WIDE_EXACT.cast(PAIRS_EXACT.cast(ShortVector.fromArray(PAIRS, b, bi + 6 * L)).reinterpretAsInts());
      s0 = av.fma(EXACT.cast(w0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()), s0);
      s1 = av.fma(EXACT.cast(w0.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats()), s1);
      s2 = av.fma(EXACT.cast(w1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()), s2);
      s3 = av.fma(EXACT.cast(w1.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats()), s3);
      s4 = av.fma(EXACT.cast(w2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()), s4);
      s5 = av.fma(EXACT.cast(w2.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats()), s5);
      s6 = av.fma(EXACT.cast(w3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()), s6);
      s7 = av.fma(EXACT.cast(w3.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats()), s7);
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

  /** One pair of columns (two vectors), its group at {@code bOff}: one run per call. */
  private static void onePairOfColumns(int k, float[] a, int aOff, short[] b, int bOff, float[] c, int cOff,
      boolean accumulate) {
    float[] from = accumulate ? c : ZEROS;
    int f = accumulate ? cOff : 0;
    FloatVector s0 = EXACT.cast(FloatVector.fromArray(S, from, f));
    FloatVector s1 = EXACT.cast(FloatVector.fromArray(S, from, f + L));
    for (int p = 0, bi = bOff; p < k; p++, bi += 2 * L) {
      FloatVector av = EXACT.cast(FloatVector.broadcast(S, a[aOff + p]));
      IntVector w0 = WIDE_EXACT.cast(PAIRS_EXACT.cast(ShortVector.fromArray(PAIRS, b, bi)).reinterpretAsInts());
      s0 = av.fma(EXACT.cast(w0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()), s0);
      s1 = av.fma(EXACT.cast(w0.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats()), s1);
    }
    EXACT.cast(s0).intoArray(c, cOff);
    EXACT.cast(s1).intoArray(c, cOff + L);
  }

  /** One vector of columns after the pairs, widened from L shorts, its group at {@code bOff}: one run per call. */
  private static void oneVectorOfColumns(int k, float[] a, int aOff, short[] b, int bOff, float[] c, int cOff,
      boolean accumulate) {
    FloatVector s0 = EXACT.cast(FloatVector.fromArray(S, accumulate ? c : ZEROS, accumulate ? cOff : 0));
    for (int p = 0, bi = bOff; p < k; p++, bi += L) {
      FloatVector av = EXACT.cast(FloatVector.broadcast(S, a[aOff + p]));
      s0 = av.fma(EXACT.cast(WIDE_EXACT.cast(HALF_EXACT.cast(ShortVector.fromArray(HALF, b, bi))
          .convertShape(VectorOperators.S2I, WIDE, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()), s0);
    }
    EXACT.cast(s0).intoArray(c, cOff);
  }

  /**
   * The last columns (fewer than a vector: the 10 classes), twelve chains at a time as in
   * VectorGemm (four at a time took 1.1 us for 128 x 10 against 0.45 in float32); a group past the
   * end repeats the last column: the same chain, the same value stored twice.
   */
  private static void lastColumns(int j, int n, int k, float[] a, int aOff, short[] b, int bOff, float[] c,
      int cOff, boolean accumulate) {
    int lastCol = n - 1;
    // The group of the last n - j columns: its rows from bOff + j k on, each n - j wide; column
    // col of row p at rowStart + col, rowStart = bOff + j k - j + p (n - j).
    int width = n - j;
    int groupStart = bOff + j * k - j;
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
      for (int p = 0, bi = groupStart; p < k; p++, bi += width) {
        float ap = a[aOff + p];
        s0 = Math.fma(ap, Float.intBitsToFloat(b[bi + j] << 16), s0);
        s1 = Math.fma(ap, Float.intBitsToFloat(b[bi + j1] << 16), s1);
        s2 = Math.fma(ap, Float.intBitsToFloat(b[bi + j2] << 16), s2);
        s3 = Math.fma(ap, Float.intBitsToFloat(b[bi + j3] << 16), s3);
        s4 = Math.fma(ap, Float.intBitsToFloat(b[bi + j4] << 16), s4);
        s5 = Math.fma(ap, Float.intBitsToFloat(b[bi + j5] << 16), s5);
        s6 = Math.fma(ap, Float.intBitsToFloat(b[bi + j6] << 16), s6);
        s7 = Math.fma(ap, Float.intBitsToFloat(b[bi + j7] << 16), s7);
        s8 = Math.fma(ap, Float.intBitsToFloat(b[bi + j8] << 16), s8);
        s9 = Math.fma(ap, Float.intBitsToFloat(b[bi + j9] << 16), s9);
        s10 = Math.fma(ap, Float.intBitsToFloat(b[bi + j10] << 16), s10);
        s11 = Math.fma(ap, Float.intBitsToFloat(b[bi + j11] << 16), s11);
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
}
