package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Max pooling's tie and NaN rules (PyTorch's), padding that never wins, and Keras's SAME average. */
class PoolingTest {
  @Test
  void firstMaximumWinsAndTakesTheGradient() {
    // one 2x2 image, one channel, a 2x2 window: three equal maxima
    Pooling pool = new Pooling(2, 2, 1, 2, 2, 2, 2, 0, 0, 1, 1);
    float[] y = new float[1];
    int[] argmax = new int[1];
    pool.maxForward(1, new float[] {1, 3, 3, 3}, y, argmax);
    assertEquals(3f, y[0]);
    assertEquals(1, argmax[0]);
    float[] dx = new float[4];
    pool.maxBackward(1, new float[] {5}, argmax, dx);
    assertArrayEquals(new float[] {0, 5, 0, 0}, dx);
  }

  @Test
  void nanPropagatesAndTheLastNanIsKept() {
    Pooling pool = new Pooling(2, 2, 1, 2, 2, 2, 2, 0, 0, 1, 1);
    float[] y = new float[1];
    int[] argmax = new int[1];
    pool.maxForward(1, new float[] {Float.NaN, 7, Float.NaN, 1}, y, argmax);
    assertTrue(Float.isNaN(y[0]));
    assertEquals(2, argmax[0]);
    int[] globalArgmax = new int[1];
    Pooling.globalMax(1, 4, 1, new float[] {1, Float.NaN, 9, 2}, y, globalArgmax);
    assertTrue(Float.isNaN(y[0]));
    assertEquals(1, globalArgmax[0]);
  }

  @Test
  void paddingNeverWinsAndSameAverageCountsInsidePositions() {
    // 3x3 image, window 2, stride 2, SAME: output 2x2, padding bottom/right only
    Pooling pool = new Pooling(3, 3, 1, 2, 2, 2, 2, 0, 0, 2, 2);
    float[] x = {-1, -2, -3, -4, -5, -6, -7, -8, -9};
    float[] y = new float[4];
    int[] argmax = new int[4];
    pool.maxForward(1, x, y, argmax);
    assertArrayEquals(new float[] {-1, -3, -7, -9}, y);
    pool.averageForward(1, x, y);
    assertArrayEquals(new float[] {-3, -4.5f, -7.5f, -9}, y);
    float[] dx = new float[9];
    pool.averageBackward(1, new float[] {4, 2, 2, 1}, dx);
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, dx);
  }
}
