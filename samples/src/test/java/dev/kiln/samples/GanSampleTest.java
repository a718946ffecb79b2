package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.History;
import dev.kiln.runtime.data.FashionMnist;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GAN sample's scores, and one short run on Fashion-MNIST: its PNG, history and report. */
class GanSampleTest {
  @Test
  void confidentEvenPredictionsScoreTheNumberOfClasses() {
    // 20 images, two per class, each predicted with certainty: p(y) uniform, KL = log 10 each.
    float[] p = new float[20 * 10];
    for (int i = 0; i < 20; i++) {
      p[i * 10 + i % 10] = 1;
    }
    GanExample.Scores scores = GanExample.scores(p, 20);
    assertEquals(10, scores.inceptionScore(), 1e-9);
    assertEquals(1, scores.confidence(), 1e-9);
    assertArrayEquals(new double[] {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, scores.classFractions(), 1e-12);
  }

  @Test
  void oneClassOrNoConfidenceScoresOne() {
    float[] oneClass = new float[4 * 10];
    float[] unsure = new float[4 * 10];
    for (int i = 0; i < 4; i++) {
      oneClass[i * 10 + 3] = 0.7f;
      oneClass[i * 10 + 5] = 0.3f;
      for (int c = 0; c < 10; c++) {
        unsure[i * 10 + c] = 0.1f;
      }
    }
    GanExample.Scores collapsed = GanExample.scores(oneClass, 4);
    assertEquals(1, collapsed.inceptionScore(), 1e-6);
    assertEquals(0.7, collapsed.confidence(), 1e-6);
    assertEquals(1, collapsed.classFractions()[3], 1e-12);
    assertEquals(1, GanExample.scores(unsure, 4).inceptionScore(), 1e-6);
  }

  @Test
  void twoClassesHalfAndHalfScoreTwo() {
    float[] p = new float[2 * 10];
    p[1] = 1;
    p[10 + 7] = 1;
    assertEquals(2, GanExample.scores(p, 2).inceptionScore(), 1e-9);
  }

  @Test
  void aShortRunWritesGridsHistoryAndReport(@TempDir Path out) throws Exception {
    Assumptions.assumeTrue(FashionMnist.isAvailable(), "Fashion-MNIST is not installed");
    GanExample.Result result = GanExample.run(FashionMnist.DEFAULT_DIRECTORY, 2, 640, out);
    History history = result.history();
    assertEquals(2, history.epochs());
    assertTrue(history.names().containsAll(java.util.List.of("d_loss", "d_loss_real", "d_loss_fake", "g_loss",
        "confidence", "inception_score", "class/Trouser", "seconds")), history.names().toString());
    double fractions = 0;
    for (String name : FashionMnist.CLASS_NAMES) {
      fractions += history.last("class/" + name);
    }
    assertEquals(1, fractions, 1e-9);
    double score = history.last("inception_score");
    assertTrue(score >= 1 && score <= 10, "inception score " + score);
    assertTrue(result.judgeAccuracy() > 0.8, "judge accuracy " + result.judgeAccuracy());
    assertTrue(result.real().inceptionScore() > 5, "the judge on real images " + result.real().inceptionScore());
    assertEquals(2, result.grids().size());
    BufferedImage grid = ImageIO.read(result.grids().get(1).toFile());
    assertEquals(8 * 84 + 9 * 2, grid.getWidth());
    assertEquals(8 * 84 + 9 * 2, grid.getHeight());
    String html = Files.readString(result.report());
    assertTrue(html.contains("<th>inception_score</th>") && html.contains("<th>class/Bag</th>"), html);
  }
}
