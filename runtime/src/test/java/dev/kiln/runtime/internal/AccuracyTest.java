package dev.kiln.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The argmax accuracy uses: the first largest, NaN never chosen after the first place. */
class AccuracyTest {
  private static final float NAN = Float.NaN;

  @Test
  void theFirstLargestWinsTiesAndNaNIsNeverTheLargestAfterTheFirstPlace() {
    assertEquals(1, Accuracy.argMax(new float[] {0.2f, 0.5f, 0.3f}, 0, 3));
    assertEquals(0, Accuracy.argMax(new float[] {0.5f, 0.5f, 0.5f}, 0, 3), "a tie: the first");
    assertEquals(1, Accuracy.argMax(new float[] {0f, 1f, 0f, 1f}, 0, 4), "a tie: the first");
    assertEquals(0, Accuracy.argMax(new float[] {-0f, 0f}, 0, 2), "0 is not larger than -0");
    assertEquals(2, Accuracy.argMax(new float[] {0.1f, NAN, 0.7f, NAN}, 0, 4), "NaN after the first place is skipped");
    assertEquals(0, Accuracy.argMax(new float[] {NAN, 0.4f, 0.9f}, 0, 3), "nothing is larger than a leading NaN");
    assertEquals(1, Accuracy.argMax(new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY}, 0, 2));
    assertEquals(0, Accuracy.argMax(new float[] {7f}, 0, 1));
    assertEquals(0, Accuracy.argMax(new float[0], 0, 0), "no values: 0, as before");
    // Rows of a batch: offsets and counts.
    float[] rows = {9f, 0.1f, 0.8f, 0.1f, 9f, 0.6f, 0.3f, 0.1f};
    assertEquals(1, Accuracy.argMax(rows, 1, 3));
    assertEquals(0, Accuracy.argMax(rows, 4, 4));
    assertEquals(0, Accuracy.argMax(rows, 5, 3));
  }

  /** Against the branch form it replaced, on random rows with ties, NaN and signed zeros. */
  @Test
  void agreesWithTheComparisonLoopOnRandomRows() {
    SplittableRandom random = new SplittableRandom(11);
    float[] pool = {0f, -0f, 0.25f, 0.5f, 1f, NAN, Float.POSITIVE_INFINITY, -1f};
    for (int trial = 0; trial < 20_000; trial++) {
      int count = 1 + random.nextInt(12);
      float[] v = new float[count + 3];
      for (int i = 0; i < v.length; i++) {
        v[i] = random.nextInt(3) == 0 ? pool[random.nextInt(pool.length)] : (float) random.nextGaussian();
      }
      int from = random.nextInt(4);
      int expected = 0;
      for (int i = 1; i < count; i++) {
        if (v[from + i] > v[from + expected]) {
          expected = i;
        }
      }
      assertEquals(expected, Accuracy.argMax(v, from, count), "trial " + trial);
    }
  }
}
