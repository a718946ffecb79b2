package dev.kiln.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StandardizerTest {
  // Means 3, 25, 5; population variances (4+1+0+9)/4 = 3.5, (225+25+25+225)/4 = 125, 0.
  static final float[][] TRAIN = {{1, 10, 5}, {2, 20, 5}, {3, 30, 5}, {6, 40, 5}};

  @Test
  void fitsMeanAndPopulationStd() {
    Standardizer s = Standardizer.fit(TRAIN);
    assertEquals(3, s.features());
    assertArrayEquals(new double[] {3, 25, 5}, s.mean(), 1e-12);
    assertArrayEquals(new double[] {Math.sqrt(3.5), Math.sqrt(125), 1}, s.std(), 1e-12);
  }

  @Test
  void transformsTrainingSetToZeroMeanUnitStd() {
    Standardizer s = Standardizer.fit(TRAIN);
    float[][] out = s.transform(TRAIN);
    assertNotSame(TRAIN[0], out[0]);
    assertArrayEquals(new float[] {-1.0690449f, -1.3416408f, 0f}, out[0], 1e-6f);
    assertArrayEquals(new float[] {1.6035675f, 1.3416408f, 0f}, out[3], 1e-6f);
    for (int f = 0; f < 2; f++) {
      double sum = 0;
      double squares = 0;
      for (float[] row : out) {
        sum += row[f];
        squares += row[f] * row[f];
      }
      assertEquals(0, sum / out.length, 1e-6);
      assertEquals(1, squares / out.length, 1e-6);
    }
    assertArrayEquals(new float[] {1, 10, 5}, TRAIN[0], "input left unchanged");
  }

  @Test
  void transformsOtherSetsWithoutRefitting() {
    Standardizer s = Standardizer.fit(TRAIN);
    float[][] test = s.transform(new float[][] {{4, 25, 7}, {3, 25, 5}});
    // (4-3)/sqrt(3.5), (25-25)/sqrt(125), (7-5)/1: the constant feature is centred only
    assertArrayEquals(new float[] {0.5345225f, 0f, 2f}, test[0], 1e-6f);
    assertArrayEquals(new float[] {0f, 0f, 0f}, test[1], 1e-6f);
    assertArrayEquals(new double[] {3, 25, 5}, s.mean(), 1e-12);
    assertArrayEquals(new float[] {4, 25, 7}, s.inverse(test[0]), 1e-5f);
    assertArrayEquals(test[0], s.transform(new float[] {4, 25, 7}));
    assertEquals(0, s.transform(new float[0][]).length);
  }

  @Test
  void ofUsesGivenStatistics() {
    Standardizer s = Standardizer.of(new double[] {1, 2}, new double[] {2, 4});
    assertArrayEquals(new float[] {0.5f, -0.5f}, s.transform(new float[] {2, 0}));
    assertThrows(IllegalArgumentException.class,
        () -> Standardizer.of(new double[] {1}, new double[] {0}));
    assertThrows(IllegalArgumentException.class,
        () -> Standardizer.of(new double[] {1}, new double[] {1, 2}));
    assertThrows(IllegalArgumentException.class,
        () -> Standardizer.of(new double[] {Double.NaN}, new double[] {1}));
  }

  @Test
  void rejectsBadShapes() {
    assertThrows(IllegalArgumentException.class, () -> Standardizer.fit(new float[0][]));
    assertThrows(IllegalArgumentException.class, () -> Standardizer.fit(new float[][] {{}}));
    assertThrows(IllegalArgumentException.class,
        () -> Standardizer.fit(new float[][] {{1, 2}, {3}}));
    Standardizer s = Standardizer.fit(TRAIN);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> s.transform(new float[][] {{1, 2, 3}, {1, 2}}));
    assertEquals("row 1 has 2 features, the standardizer was fitted on 3", e.getMessage());
  }
}
