package dev.kiln.samples;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SIGMOID;
import static dev.kiln.annotations.Initializer.HE_NORMAL;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.training.EarlyStopping;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The seed's early-stopping example: a 5-10-1 classifier trained for up to 100 epochs with
 * {@code EarlyStopping(monitor='val_loss', patience=3, restore_best_weights=True)}. The data is
 * small and noisy (labels flipped 30% of the time), so the validation loss soon stops improving.
 */
public final class EarlyStoppingExample {
  private EarlyStoppingExample() {}

  @Network(input = 5, loss = Loss.BINARY_CROSSENTROPY)
  @Adam
  interface Classifier {
    @Dense(units = 10, activation = RELU, kernelInit = HE_NORMAL)
    Layer hidden_1();

    @Dense(units = 1, activation = SIGMOID)
    Layer output();
  }

  /** Trains with early stopping and returns the history (stopped and best epochs included). */
  static History run() {
    SplittableRandom random = new SplittableRandom(11);
    float[][] x = new float[150][5];
    float[][] y = new float[150][1];
    for (int i = 0; i < x.length; i++) {
      float sum = 0;
      for (int f = 0; f < 5; f++) {
        x[i][f] = (float) random.nextDouble();
        sum += x[i][f];
      }
      boolean label = sum > 2.5f;
      y[i][0] = (random.nextDouble() < 0.3 ? !label : label) ? 1 : 0;
    }
    float[][] trainX = java.util.Arrays.copyOfRange(x, 0, 100);
    float[][] trainY = java.util.Arrays.copyOfRange(y, 0, 100);
    float[][] valX = java.util.Arrays.copyOfRange(x, 100, 150);
    float[][] valY = java.util.Arrays.copyOfRange(y, 100, 150);
    EarlyStoppingExample_ClassifierModel model = new EarlyStoppingExample_ClassifierModel(42);
    System.out.println("--- Early stopping: model architecture ---");
    System.out.print(model.summary());
    EarlyStopping earlyStop = EarlyStopping.monitoring("val_loss").withPatience(3).withRestoreBestWeights(true);
    History history = model.fit(trainX, trainY,
        FitOptions.epochs(100).withBatchSize(32).withValidation(valX, valY).withCallbacks(earlyStop));
    System.out.printf(Locale.ROOT, "Training stopped early after %d epochs; best val_loss %.4f at epoch %d.%n",
        history.epochs(), earlyStop.bestValue(), earlyStop.bestEpoch());
    return history;
  }
}
