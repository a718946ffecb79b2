package dev.kiln.samples;

import static dev.kiln.runtime.Metric.CONFUSION;

import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Metrics;
import dev.kiln.runtime.data.FashionMnist;
import dev.kiln.runtime.report.TrainingReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code kiln-samples.jar cnn [--epochs N] [--out DIR]}: the W5 CNN ({@link FashionCnn}) trained on
 * Fashion-MNIST as the benchmark trains it (batch 64, reshuffled every epoch), by default for
 * {@value #DEFAULT_EPOCHS} epochs; then its test accuracy, the confusion matrix with the class
 * names, the training report {@code cnn-report.html} (charts and the confusion matrix) and {@code
 * cnn-predictions.png}, a grid of {@value #GRID_IMAGES} test images with their predicted classes
 * ({@link PredictionGrid}), both in {@code --out DIR} (the working directory by default, where the
 * other Fashion-MNIST samples write their reports).
 */
final class CnnExample {
  static final int DEFAULT_EPOCHS = 3;
  static final int BATCH = 64;
  static final int GRID_IMAGES = 24;
  static final int GRID_MISTAKES = 6;
  static final int GRID_COLUMNS = 6;
  static final long GRID_SEED = 9;
  static final String REPORT_FILE = "cnn-report.html";
  static final String GRID_FILE = "cnn-predictions.png";

  private CnnExample() {}

  /** The command's options; {@link #parse} checks them. */
  record Options(int epochs, Path out) {
    static Options parse(String[] args) {
      int epochs = DEFAULT_EPOCHS;
      Path out = Path.of(".");
      for (int i = 0; i < args.length; i++) {
        boolean hasValue = i + 1 < args.length;
        if (args[i].equals("--epochs") && hasValue) {
          String value = args[++i];
          try {
            epochs = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cnn --epochs needs a whole number, got \"" + value + "\"");
          }
          if (epochs < 1) {
            throw new IllegalArgumentException("cnn --epochs must be at least 1, got " + epochs);
          }
        } else if (args[i].equals("--out") && hasValue) {
          out = Path.of(args[++i]);
        } else {
          throw new IllegalArgumentException(hasValue || !args[i].startsWith("--")
              ? "cnn does not take \"" + args[i] + "\"" : "cnn " + args[i] + " needs a value");
        }
      }
      return new Options(epochs, out);
    }
  }

  /** What the sample measured and wrote, for its test. */
  record Result(History history, Evaluation test, Path report, Path grid) {}

  static Result run(Path dataDirectory, Options options) throws IOException {
    long start = System.nanoTime();
    FashionMnist data = FashionMnist.load(dataDirectory);
    System.out.printf(Locale.ROOT, "--- Fashion-MNIST CNN (W5): %d training and %d test images, %s ---%n",
        data.trainLabels().length, data.testLabels().length, epochs(options.epochs()));
    FashionCnnModel model = new FashionCnnModel(42, BATCH);
    System.out.print(model.summary());
    float[][] trainY = FashionMnist.oneHot(data.trainLabels(), FashionMnist.CLASS_COUNT);
    float[][] testY = FashionMnist.oneHot(data.testLabels(), FashionMnist.CLASS_COUNT);
    History history = model.fit(data.trainImages(), trainY,
        FitOptions.epochs(options.epochs()).withBatchSize(BATCH).withShuffle(1).withDiagnostics(true));
    Evaluation test = model.evaluate(data.testImages(), testY, Metrics.of(CONFUSION));
    System.out.printf(Locale.ROOT, "Fashion-MNIST CNN after %s: test loss %.4f, test accuracy %.4f%n",
        epochs(options.epochs()), test.loss(), test.accuracy());
    System.out.println("Confusion matrix (rows true class, columns predicted):");
    System.out.print(namedConfusionTable(test.confusion(), FashionMnist.CLASS_NAMES));

    Files.createDirectories(options.out());
    Path report = options.out().resolve(REPORT_FILE);
    TrainingReport.write(history, String.format(Locale.ROOT, "Fashion-MNIST CNN (W5), %s, batch %d, Adam 1e-3:"
        + " test accuracy %.4f", epochs(options.epochs()), BATCH, test.accuracy()), test.confusion(), FashionMnist.CLASS_NAMES,
        report);
    System.out.println("Training report with the confusion matrix: " + report.toAbsolutePath());

    int[] predicted = argmax(model.predict(data.testImages()));
    int[] actual = data.testLabels();
    int[] shown = PredictionGrid.pick(predicted, actual, GRID_IMAGES, GRID_MISTAKES, GRID_SEED);
    float[][] images = new float[shown.length][];
    int[] shownPredicted = new int[shown.length];
    int[] shownActual = new int[shown.length];
    for (int i = 0; i < shown.length; i++) {
      images[i] = data.testImages()[shown[i]];
      shownPredicted[i] = predicted[shown[i]];
      shownActual[i] = actual[shown[i]];
    }
    Path grid = options.out().resolve(GRID_FILE);
    PredictionGrid.write(images, shownPredicted, shownActual, FashionMnist.CLASS_NAMES, GRID_COLUMNS, grid);
    System.out.printf(Locale.ROOT, "Predictions on %d test images (green right, red wrong: predicted (true)): %s%n",
        shown.length, grid.toAbsolutePath());
    System.out.printf(Locale.ROOT, "CNN sample took %.1f s%n", (System.nanoTime() - start) / 1e9);
    return new Result(history, test, report, grid);
  }

  /**
   * The confusion matrix with each row named by its class; the columns are numbered like the rows,
   * since ten class names side by side would not fit a terminal line.
   */
  static String namedConfusionTable(int[][] confusion, List<String> classNames) {
    int nameWidth = 0;
    for (String name : classNames) {
      nameWidth = Math.max(nameWidth, name.length());
    }
    int width = 5;
    for (int[] row : confusion) {
      for (int v : row) {
        width = Math.max(width, Integer.toString(v).length() + 1);
      }
    }
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%" + (nameWidth + 3) + "s", ""));
    for (int c = 0; c < confusion.length; c++) {
      out.append(String.format(Locale.ROOT, "%" + width + "d", c));
    }
    out.append('\n');
    for (int r = 0; r < confusion.length; r++) {
      out.append(String.format(Locale.ROOT, "%d %-" + (nameWidth + 1) + "s", r, classNames.get(r)));
      for (int v : confusion[r]) {
        out.append(String.format(Locale.ROOT, "%" + width + "d", v));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String epochs(int epochs) {
    return epochs + (epochs == 1 ? " epoch" : " epochs");
  }

  private static int[] argmax(float[][] probabilities) {
    int[] best = new int[probabilities.length];
    for (int i = 0; i < probabilities.length; i++) {
      for (int c = 1; c < probabilities[i].length; c++) {
        best[i] = probabilities[i][c] > probabilities[i][best[i]] ? c : best[i];
      }
    }
    return best;
  }
}
