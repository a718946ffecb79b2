package dev.kiln.samples;

import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.data.FashionMnist;
import java.io.IOException;
import java.util.Locale;

/** {@code kiln-samples.jar residual}: the residual MLP ({@link ResidualMlp}) trained on Fashion-MNIST. */
final class ResidualExample {
  private ResidualExample() {}

  /**
   * Prints the summary (Keras's functional table, with "Connected to"), trains 3 epochs and reports
   * the test accuracy; NaN when Fashion-MNIST is not installed.
   */
  static double run() throws IOException {
    ResidualMlpModel model = new ResidualMlpModel(42, 64);
    System.out.print(model.summary());
    if (!FashionMnist.isAvailable()) {
      System.out.println("Fashion-MNIST is not installed (" + FashionMnist.DEFAULT_DIRECTORY + "); install it with: "
          + FashionMnist.INSTALL_COMMAND);
      return Double.NaN;
    }
    FashionMnist data = FashionMnist.load();
    float[][] trainY = FashionMnist.oneHot(data.trainLabels(), FashionMnist.CLASS_COUNT);
    float[][] testY = FashionMnist.oneHot(data.testLabels(), FashionMnist.CLASS_COUNT);
    History history = model.fit(data.trainImages(), trainY, FitOptions.epochs(3).withBatchSize(64).withShuffle(1));
    Evaluation test = model.evaluate(data.testImages(), testY);
    System.out.printf(Locale.ROOT, "Residual MLP: Fashion-MNIST test loss %.4f, test accuracy %.4f after %d epochs%n",
        test.loss(), test.accuracy(), history.epochs());
    return test.accuracy();
  }
}
