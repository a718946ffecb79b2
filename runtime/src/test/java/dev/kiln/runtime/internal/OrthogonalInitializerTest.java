package dev.kiln.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Keras's orthogonal initializer: the fewer of rows and columns come out orthonormal. */
class OrthogonalInitializerTest {
  /** W W^T (rows <= cols) or W^T W (rows > cols) is the identity within 1e-5. */
  private static void assertOrthonormal(float[] w, int offset, int rows, int cols) {
    boolean byRows = rows <= cols;
    int count = byRows ? rows : cols;
    int length = byRows ? cols : rows;
    for (int a = 0; a < count; a++) {
      for (int b = 0; b < count; b++) {
        double dot = 0;
        for (int k = 0; k < length; k++) {
          dot += byRows ? (double) w[offset + a * cols + k] * w[offset + b * cols + k]
              : (double) w[offset + k * cols + a] * w[offset + k * cols + b];
        }
        assertEquals(a == b ? 1.0 : 0.0, dot, 1e-5, "entry (" + a + ", " + b + ")");
      }
    }
  }

  @Test
  void aRecurrentKernelHasOrthonormalRows() {
    float[] w = new float[3 + 7 * 28 + 2];
    Initializers.orthogonal(new SplittableRandom(5), w, 3, 7, 28); // an LSTM(7)'s [H, 4H]
    assertOrthonormal(w, 3, 7, 28);
    assertEquals(0f, w[0]);
    assertEquals(0f, w[w.length - 1]);
  }

  @Test
  void aTallMatrixHasOrthonormalColumnsAndASquareOneIsOrthogonal() {
    float[] tall = new float[12 * 5];
    Initializers.orthogonal(new SplittableRandom(6), tall, 0, 12, 5);
    assertOrthonormal(tall, 0, 12, 5);
    float[] square = new float[9 * 9];
    Initializers.orthogonal(new SplittableRandom(7), square, 0, 9, 9);
    assertOrthonormal(square, 0, 9, 9);
  }

  @Test
  void theSameSeedGivesTheSameMatrix() {
    float[] a = new float[6 * 18];
    float[] b = new float[6 * 18];
    Initializers.orthogonal(new SplittableRandom(42), a, 0, 6, 18);
    Initializers.orthogonal(new SplittableRandom(42), b, 0, 6, 18);
    assertArrayEquals(a, b);
  }
}
