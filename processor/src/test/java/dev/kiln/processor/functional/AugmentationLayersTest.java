package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.annotations.FlipMode;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.RandomFlip;
import dev.kiln.annotations.RandomTranslation;
import dev.kiln.annotations.RandomZoom;
import dev.kiln.annotations.Sgd;
import dev.kiln.runtime.Layer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The augmentation layers as a user meets them: what "reproducible" means (the transform of the
 * k-th training sample after {@code setNoiseSeed} depends on the seed and k only, so the same
 * samples in batches of 8 or of 64 are augmented alike), a flip seen from outside, and the
 * summary's rows. A network whose output is the augmented image shows the augmentation itself.
 */
class AugmentationLayersTest {
  @Network(input = {6, 7, 2}, loss = Loss.MEAN_SQUARED_ERROR, maxBatch = 64)
  @Sgd
  interface Augment {
    @RandomFlip
    Layer flip();

    @RandomTranslation(heightFactor = 0.2, widthFactor = 0.3)
    Layer shift();

    @RandomZoom(heightFactor = {-0.3, 0.3}, widthFactor = 0.2)
    Layer zoom();
  }

  @Network(input = {3, 4, 1}, loss = Loss.MEAN_SQUARED_ERROR)
  @Sgd
  interface FlipOnly {
    @RandomFlip(mode = FlipMode.HORIZONTAL)
    Layer flip();
  }

  private static float[][] images(int n, int size) {
    float[][] x = new float[n][size];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < size; j++) {
        x[i][j] = (float) Math.sin(0.37 * j + 1.3 * i) + 0.01f * i;
      }
    }
    return x;
  }

  @Test
  void theSameSeedGivesTheSameAugmentedBatchAndTheStreamMovesOn() {
    AugmentationLayersTest_AugmentModel model = new AugmentationLayersTest_AugmentModel(1, 64);
    float[][] x = images(8, 84);
    model.core().setNoiseSeed(5);
    float[][] first = model.core().forwardTraining(x);
    float[][] next = model.core().forwardTraining(x);
    model.core().setNoiseSeed(5);
    float[][] again = model.core().forwardTraining(x);
    for (int i = 0; i < x.length; i++) {
      assertArrayEquals(first[i], again[i], 0f);
      assertFalse(Arrays.equals(first[i], next[i]), "samples 8..15 of the stream get other transforms");
      assertFalse(Arrays.equals(first[i], x[i]), "training mode augments");
    }
    assertArrayEquals(x[3], model.predict(x)[3], 0f); // inference: the identity
  }

  @Test
  void batchesOfEightAugmentLikeOneBatchOfSixtyFour() {
    float[][] x = images(64, 84);
    AugmentationLayersTest_AugmentModel whole = new AugmentationLayersTest_AugmentModel(1, 64);
    whole.core().setNoiseSeed(2026);
    float[][] expected = whole.core().forwardTraining(x);
    AugmentationLayersTest_AugmentModel pieces = new AugmentationLayersTest_AugmentModel(7, 8);
    pieces.core().setNoiseSeed(2026);
    for (int b = 0; b < 8; b++) {
      float[][] batch = pieces.core().forwardTraining(Arrays.copyOfRange(x, 8 * b, 8 * b + 8));
      for (int i = 0; i < 8; i++) {
        assertArrayEquals(expected[8 * b + i], batch[i], 0f, "sample " + (8 * b + i));
      }
    }
  }

  @Test
  void aHorizontalFlipMirrorsEveryRowOfAboutHalfTheSamples() {
    AugmentationLayersTest_FlipOnlyModel model = new AugmentationLayersTest_FlipOnlyModel(3, 200);
    float[][] x = images(200, 12);
    model.core().setNoiseSeed(11);
    float[][] y = model.core().forwardTraining(x);
    int flipped = 0;
    for (int i = 0; i < x.length; i++) {
      float[] mirrored = new float[12];
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 4; c++) {
          mirrored[r * 4 + c] = x[i][r * 4 + 3 - c];
        }
      }
      boolean isMirror = Arrays.equals(mirrored, y[i]);
      assertTrue(isMirror || Arrays.equals(x[i], y[i]), "sample " + i + " is itself or its mirror image");
      flipped += isMirror ? 1 : 0;
    }
    // Binomial(200, 1/2): standard deviation ~7; 5 sigma.
    assertEquals(100, flipped, 35);
  }

  @Test
  void summaryRowsHaveTheInputShapeAndNoParameters() {
    String summary = new AugmentationLayersTest_AugmentModel().summary();
    for (String row : new String[] {"flip (RandomFlip)", "shift (RandomTranslation)", "zoom (RandomZoom)"}) {
      String line = summary.lines().filter(l -> l.contains(row)).findFirst().orElseThrow(() -> new AssertionError(
          row + " missing from\n" + summary));
      assertTrue(line.matches(".*" + java.util.regex.Pattern.quote(row) + "\\s+.\\s+\\(None, 6, 7, 2\\)\\s+.\\s+0\\s+.\\s*"),
          line);
    }
    assertTrue(summary.contains(" Total params: 0"), summary);
  }

  @Test
  void aCheckpointResumesTheAugmentationsWhereTheyStopped(@TempDir Path dir) throws Exception {
    float[][] x = images(8, 84);
    AugmentationLayersTest_AugmentModel model = new AugmentationLayersTest_AugmentModel(1, 64);
    model.core().setNoiseSeed(3);
    model.core().forwardTraining(x); // samples 0..7 of the stream
    Path checkpoint = dir.resolve("augment.ckpt.safetensors");
    model.core().saveCheckpoint(checkpoint);
    float[][] expected = model.core().forwardTraining(x); // samples 8..15
    AugmentationLayersTest_AugmentModel resumed = new AugmentationLayersTest_AugmentModel(99, 64);
    resumed.core().loadCheckpoint(checkpoint);
    float[][] actual = resumed.core().forwardTraining(x);
    for (int i = 0; i < x.length; i++) {
      assertArrayEquals(expected[i], actual[i], 0f);
    }
  }
}
