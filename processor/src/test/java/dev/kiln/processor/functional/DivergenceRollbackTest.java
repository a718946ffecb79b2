package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Momentum;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Sgd;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.training.Callback;
import dev.kiln.runtime.training.TrainingDivergedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A learning rate of 1e6 on generated linear regressors: each step multiplies the bias (and the
 * error) by about 2 * 1e6 / batch, so the parameters grow geometrically while the prediction and
 * the loss stay finite, until a step would overflow a parameter or the optimizer's velocity (the
 * update, lr times the error, overflows before the prediction, about the bias, does). That step is refused: the
 * parameters equal those before it bit for bit, and the optimizer state too, which shows when
 * training goes on at a sane rate exactly as on a twin that never asked for the bad step.
 */
class DivergenceRollbackTest {
  @Network(input = 3, loss = Loss.MEAN_SQUARED_ERROR)
  @Sgd(learningRate = 0.01)
  interface SgdRegressor {
    @Dense(units = 1)
    Layer output();
  }

  @Network(input = 3, loss = Loss.MEAN_SQUARED_ERROR)
  @Momentum(learningRate = 0.01, momentum = 0.9)
  interface MomentumRegressor {
    @Dense(units = 1)
    Layer output();
  }

  private static final float[][] X = inputs();
  private static final float[][] Y = targets(X);
  private static final float[][] X1 = Arrays.copyOfRange(X, 0, 4);
  private static final float[][] Y1 = Arrays.copyOfRange(Y, 0, 4);
  private static final float[][] X2 = Arrays.copyOfRange(X, 4, 8);
  private static final float[][] Y2 = Arrays.copyOfRange(Y, 4, 8);

  @Test
  void fitWithSgdAt1e6StopsWithTheWeightsBeforeTheRefusedStep() {
    checkFit(() -> new DivergenceRollbackTest_SgdRegressorModel(3));
  }

  @Test
  void fitWithMomentumAt1e6StopsWithTheWeightsAndVelocityBeforeTheRefusedStep() {
    checkFit(() -> new DivergenceRollbackTest_MomentumRegressorModel(3));
  }

  @Test
  void trainOnBatchWithSgdAt1e6RefusesTheStep() {
    checkTrainOnBatch(() -> new DivergenceRollbackTest_SgdRegressorModel(3));
  }

  @Test
  void trainOnBatchWithMomentumAt1e6RefusesTheStep() {
    checkTrainOnBatch(() -> new DivergenceRollbackTest_MomentumRegressorModel(3));
  }

  private static void checkFit(Supplier<Model> create) {
    Model model = create.get();
    model.setLearningRate(1e6f);
    BatchSnapshots snapshots = new BatchSnapshots(model);
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> model.fit(X, Y,
        FitOptions.epochs(100).withBatchSize(4).withoutShuffle().withVerbose(false).withCallbacks(snapshots)));
    assertTrue(e.stepRejected(), e.getMessage());
    assertTrue(Double.isFinite(e.loss()));
    assertTrue(e.getMessage().startsWith("training diverged: the optimizer step of epoch " + e.epoch() + ", batch "
        + e.batch() + " (loss "), e.getMessage());
    int steps = snapshots.after.size();
    assertEquals(2 * (e.epoch() - 1) + e.batch() - 1, steps);
    assertTrue(steps >= 1, "at least one step was taken before");
    float[] params = model.core().parameters();
    assertArrayEquals(snapshots.after.get(steps - 1), params);
    assertEquals(steps, model.optimizer().iterations());

    // A twin takes the same successful steps by hand, never the refused one; then both train at a
    // sane rate. Equal results need equal velocities (and step counts) as well as equal weights.
    Model twin = create.get();
    twin.setLearningRate(1e6f);
    for (int s = 0; s < steps; s++) {
      if (s % 2 == 0) {
        twin.trainOnBatch(X1, Y1);
      } else {
        twin.trainOnBatch(X2, Y2);
      }
    }
    assertArrayEquals(twin.core().parameters(), params);
    continueBoth(model, twin);
  }

  private static void checkTrainOnBatch(Supplier<Model> create) {
    Model model = create.get();
    model.setLearningRate(1e6f);
    List<float[]> before = new ArrayList<>();
    TrainingDivergedException e = null;
    for (int s = 0; s < 200 && e == null; s++) {
      before.add(model.core().parameters());
      try {
        model.trainOnBatch(X1, Y1);
      } catch (TrainingDivergedException thrown) {
        e = thrown;
      }
    }
    assertTrue(e != null, "diverged within 200 steps");
    assertTrue(e.stepRejected(), e.getMessage());
    assertTrue(e.getMessage().startsWith("training diverged: the optimizer step on this batch (loss "), e.getMessage());
    assertTrue(e.getMessage().endsWith("would have made some weights or optimizer state non-finite; the step was not"
        + " taken, so the weights and optimizer state are those before it. Try a lower learning rate"), e.getMessage());
    int steps = before.size() - 1;
    assertTrue(steps >= 1);
    assertArrayEquals(before.get(steps), model.core().parameters());
    assertEquals(steps, model.optimizer().iterations());

    Model twin = create.get();
    twin.setLearningRate(1e6f);
    for (int s = 0; s < steps; s++) {
      twin.trainOnBatch(X1, Y1);
    }
    continueBoth(model, twin);
  }

  /**
   * Five steps at a tiny rate on both: the same losses (or the same refusals: momentum's velocity
   * of order 1e38 may still overflow a step) and bit-identical parameters only if the optimizer
   * states agree.
   */
  private static void continueBoth(Model model, Model twin) {
    model.setLearningRate(1e-12f);
    twin.setLearningRate(1e-12f);
    for (int s = 0; s < 5; s++) {
      assertEquals(outcome(twin), outcome(model));
    }
    assertArrayEquals(twin.core().parameters(), model.core().parameters());
    for (float p : model.core().parameters()) {
      assertTrue(Float.isFinite(p));
    }
    assertEquals(twin.optimizer().iterations(), model.optimizer().iterations());
  }

  private static String outcome(Model model) {
    try {
      return "loss " + model.trainOnBatch(X2, Y2);
    } catch (TrainingDivergedException e) {
      return e.getMessage();
    }
  }

  /** The parameters after every successful step. */
  private static final class BatchSnapshots implements Callback {
    final Model model;
    final List<float[]> after = new ArrayList<>();

    BatchSnapshots(Model model) {
      this.model = model;
    }

    @Override
    public void onBatchEnd(int epoch, int batch, double loss) {
      after.add(model.core().parameters());
    }
  }

  private static float[][] inputs() {
    SplittableRandom random = new SplittableRandom(11);
    float[][] x = new float[8][3];
    for (float[] row : x) {
      for (int j = 0; j < 3; j++) {
        row[j] = (float) (random.nextDouble() * 2 - 1);
      }
    }
    return x;
  }

  private static float[][] targets(float[][] x) {
    float[][] y = new float[x.length][1];
    for (int i = 0; i < x.length; i++) {
      y[i][0] = x[i][0] - 2 * x[i][2] + 0.5f;
    }
    return y;
  }
}
