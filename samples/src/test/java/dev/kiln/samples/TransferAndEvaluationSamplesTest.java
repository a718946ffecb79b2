package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The data selection of the transfer and evaluation samples (their training and printed tables are
 * exercised by {@code kiln-samples.jar transfer} and {@code evaluation}; the metrics, groups,
 * ensemble and cross-validation they print are tested in the runtime and processor modules).
 */
class TransferAndEvaluationSamplesTest {
  @Test
  void classesShiftsLabelsAndLimitsWithoutRepeats() {
    float[][] images = new float[20][];
    int[] labels = new int[20];
    for (int i = 0; i < 20; i++) {
      images[i] = new float[] {i};
      labels[i] = i % 10;
    }
    float[][][] upper = TransferExample.classes(images, labels, 5, Integer.MAX_VALUE, 0);
    assertEquals(10, upper[0].length);
    for (int i = 0; i < 10; i++) {
      assertEquals(labels[(int) upper[0][i][0]] - 5, upper[1][i][0]);
    }
    float[][][] limited = TransferExample.classes(images, labels, 0, 4, 1);
    assertEquals(4, limited[0].length);
    assertEquals(4, Arrays.stream(limited[0]).mapToDouble(r -> r[0]).distinct().count());
  }

  @Test
  void brightnessTercilesSplitIntoThirds() {
    float[][] images = new float[9][];
    for (int i = 0; i < 9; i++) {
      images[i] = new float[] {(i * 7) % 9, 0}; // brightness (i*7 mod 9) / 2: a permutation of 0..8 / 2
    }
    String[] groups = EvaluationExample.brightnessTerciles(images);
    Map<String, Integer> counts = new TreeMap<>();
    for (String g : groups) {
      counts.merge(g, 1, Integer::sum);
    }
    assertEquals(Map.of("1 dim", 3, "2 medium", 3, "3 bright", 3), counts);
    assertArrayEquals(new String[] {"1 dim", "3 bright", "2 medium"},
        new String[] {groups[0], groups[1], groups[2]}); // brightness 0, 7, 5 (/ 2)
  }
}
