package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code @Network(fromLogits = true)} beyond the PyTorch fixtures (net_logits*, in {@link
 * PyTorchReferenceTest}): predict returns logits and the summary says so, and binary accuracy
 * thresholds logits at 0.
 */
class FromLogitsTest {
  @TempDir Path dir;

  @Test
  void summarySaysPredictReturnsLogits() {
    String summary = new FixtureNetworks_NetLogitsModel(1).summary();
    assertTrue(summary.endsWith(" Non-trainable params: 0 (0.00 B)\n"
        + " Output: logits (the loss applies softmax; predict returns logits)\n"), summary);
    assertTrue(new FixtureNetworks_NetLogitsBceModel(1).summary()
        .endsWith(" Output: logits (the loss applies sigmoid; predict returns logits)\n"));
    assertTrue(!new FixtureNetworks_NetIrisModel(1).summary().contains("logits"));
  }

  @Test
  void predictReturnsPyTorchsLogitsAndBinaryAccuracyThresholdsThemAtZero() throws Exception {
    Fixture fixture = Fixture.load("net_logits_bce");
    FixtureNetworks_NetLogitsBceModel model = new FixtureNetworks_NetLogitsBceModel(1);
    fixture.loadInitialWeights(model, dir);
    float[][] x = fixture.matrix("input.x");
    float[][] y = fixture.matrix("input.y");
    float[][] logits = model.predict(x);
    Fixture.assertClose(fixture.file.floats("expected.output"), Fixture.flatten(logits),
        PyTorchReferenceTest.OUTPUT_TOLERANCE, "logits");
    int correct = 0;
    int below = 0;
    for (int r = 0; r < logits.length; r++) {
      for (int c = 0; c < 2; c++) {
        correct += (logits[r][c] > 0) == (y[r][c] > 0.5f) ? 1 : 0;
        below += logits[r][c] > 0 && logits[r][c] <= 0.5f ? 1 : 0;
      }
    }
    assertEquals(correct / 12.0, model.evaluate(x, y).accuracy(), 1e-12);
    assertTrue(below > 0, "some logit in (0, 0.5]: a 0.5 threshold would count it differently");
  }
}
