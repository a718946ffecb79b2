package dev.kiln.runtime.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.HistoryFixtures;
import dev.kiln.runtime.ModelCore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReduceLROnPlateauTest {
  /** A context holding only a learning rate. */
  private static final class Rate implements TrainingContext {
    float rate;

    Rate(float rate) {
      this.rate = rate;
    }

    @Override
    public float[] parameters() {
      return new float[0];
    }

    @Override
    public void setParameters(float[] values) {}

    @Override
    public float learningRate() {
      return rate;
    }

    @Override
    public void setLearningRate(float learningRate) {
      rate = learningRate;
    }

    @Override
    public void save(Path path) {}
  }

  /** Runs the callback over a loss sequence; returns the rate after each epoch. */
  private static float[] rates(ReduceLROnPlateau callback, float start, double... losses) {
    Rate context = new Rate(start);
    callback.onTrainBegin(context);
    List<Map<String, Double>> epochs = new ArrayList<>();
    float[] out = new float[losses.length];
    for (int e = 0; e < losses.length; e++) {
      epochs.add(Map.of("loss", losses[e]));
      History history = HistoryFixtures.of(epochs, 0, 0, false);
      callback.onEpochEnd(e + 1, history, context);
      out[e] = context.rate;
    }
    return out;
  }

  /**
   * factor 0.5, patience 2, minDelta 0.01, cooldown 1, min rate 0.02, from 0.1, by Keras's rule:
   * e1, e2 improve; e3 (0.895 is not below 0.9 - 0.01) and e4 wait 1, 2: halve to 0.05, cooldown 1;
   * e5 ends the cooldown and improves (best 0.85); e6, e7 wait 1, 2: 0.025, cooldown 1; e8 ends the
   * cooldown and waits 1 (the cooldown is over when it is checked); e9 waits 2: max(0.0125, 0.02) =
   * 0.02; e10 waits 1, e11 2, but the rate is at the minimum; e12 the same.
   */
  @Test
  void followsKerasRuleOverAHandDerivedSequence() {
    ReduceLROnPlateau callback = ReduceLROnPlateau.monitoring("loss")
        .withFactor(0.5).withPatience(2).withMinDelta(0.01).withCooldown(1).withMinLearningRate(0.02);
    float[] got = rates(callback, 0.1f, 1.0, 0.9, 0.895, 0.9, 0.85, 0.86, 0.87, 0.88, 0.89, 0.90, 0.91, 0.92);
    float a = 0.1f;
    float b = 0.1f / 2;
    float c = 0.1f / 4;
    float m = 0.02f;
    assertArrayEquals(new float[] {a, a, a, b, b, b, c, c, m, m, m, m}, got);
  }

  /**
   * Keras's defaults: factor 0.1 after 10 epochs without an improvement of more than 1e-4. Epoch 1
   * sets the best; every later epoch is 5e-5 better, which does not count: epochs 2..11 wait 1..10
   * (0.1 after epoch 11), epochs 12..21 again (0.01 after epoch 21).
   */
  @Test
  void defaultsAreKeras() {
    double[] losses = new double[23];
    java.util.Arrays.fill(losses, 0.99995);
    losses[0] = 1.0;
    float[] got = rates(ReduceLROnPlateau.monitoring("loss"), 1f, losses);
    for (int e = 0; e < losses.length; e++) {
      float expected = e < 10 ? 1f : e < 20 ? 0.1f : (float) (0.1f * 0.1);
      assertEquals(expected, got[e], "epoch " + (e + 1));
    }
  }

  @Test
  void accuracyRisesByDefault() {
    ReduceLROnPlateau callback = ReduceLROnPlateau.monitoring("val_accuracy").withPatience(1).withFactor(0.5);
    Rate context = new Rate(0.4f);
    callback.onTrainBegin(context);
    List<Map<String, Double>> epochs = new ArrayList<>();
    double[] accuracy = {0.5, 0.6, 0.55};
    for (int e = 0; e < accuracy.length; e++) {
      epochs.add(Map.of("val_accuracy", accuracy[e]));
      callback.onEpochEnd(e + 1, HistoryFixtures.of(epochs, 0, 0, false), context);
      assertEquals(e < 2 ? 0.4f : 0.2f, context.rate, "epoch " + (e + 1));
    }
  }

  /**
   * In fit, on the linear model of {@link EarlyStoppingTest}: val_loss falls until epoch 7 and
   * rises after whatever the (smaller) rate, so with patience 0 and factor 0.5 the rate halves after
   * every epoch from 8 on; the history records the rate each epoch trained with.
   */
  @Test
  void fitRecordsTheReducedRates() {
    ModelCore model = LinearNetwork.model(1, 1, 0.025f);
    History history = model.fit(EarlyStoppingTest.X, EarlyStoppingTest.Y, FitOptions.epochs(12).withBatchSize(1)
        .withValidation(EarlyStoppingTest.X, EarlyStoppingTest.VAL_Y).withVerbose(false)
        .withCallbacks(ReduceLROnPlateau.monitoring("val_loss").withPatience(0).withFactor(0.5)));
    double[] lr = history.get("lr");
    for (int e = 0; e < 12; e++) {
      float expected = 0.025f;
      for (int k = 9; k <= e + 1; k++) {
        expected = (float) (expected * 0.5);
      }
      assertEquals(expected, (float) lr[e], "epoch " + (e + 1));
    }
    assertEquals("0.025", history.params().get("learning_rate"));
  }

  @Test
  void rejectsBadArguments() {
    ReduceLROnPlateau callback = ReduceLROnPlateau.monitoring("loss");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> callback.withFactor(1.0)).getMessage()
        .contains("factor must be in [0, 1), was 1.0"));
    assertThrows(IllegalArgumentException.class, () -> callback.withPatience(-1));
    assertThrows(IllegalArgumentException.class, () -> callback.withCooldown(-1));
    assertThrows(IllegalArgumentException.class, () -> callback.withMinLearningRate(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> ReduceLROnPlateau.monitoring(""));
  }
}
