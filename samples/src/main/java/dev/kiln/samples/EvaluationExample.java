package dev.kiln.samples;

import static dev.kiln.runtime.Metric.ACCURACY;
import static dev.kiln.runtime.Metric.CONFUSION;
import static dev.kiln.runtime.Metric.F1;
import static dev.kiln.runtime.Metric.PRECISION;
import static dev.kiln.runtime.Metric.RECALL;
import static dev.kiln.runtime.Metric.TOP_K;

import dev.kiln.runtime.CrossValidation;
import dev.kiln.runtime.Ensemble;
import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.GroupEvaluation;
import dev.kiln.runtime.Metrics;
import dev.kiln.runtime.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code kiln-samples.jar evaluation}: metrics beyond accuracy, per-group evaluation, an ensemble
 * and cross-validation. On Fashion-MNIST ({@link SmallFashionMlp}, 1 epoch): per-class precision,
 * recall and F1 with top-3 accuracy and the confusion matrix; the same metrics per image-brightness
 * tercile with the largest gap; 5 seeds against their ensemble. On Iris: stratified 5-fold
 * cross-validation of the seed's network.
 */
final class EvaluationExample {
  private EvaluationExample() {}

  /** What the sample measured, for its test. */
  record Result(double singleMean, double ensemble, Evaluation evaluation, GroupEvaluation groups,
      CrossValidation.Result crossValidation) {}

  static final FitOptions ONE_EPOCH = FitOptions.epochs(1).withBatchSize(64).withShuffle(1).withVerbose(false);

  static Result run(Path dataDirectory) throws IOException {
    FashionMnist data = FashionMnist.load(dataDirectory);
    float[][] trainY = indices(data.trainLabels());
    float[][] testY = indices(data.testLabels());
    float[][] testX = data.testImages();
    System.out.println("--- Evaluation: Fashion-MNIST MLP 784-64-10, 1 epoch ---");

    List<SmallFashionMlpModel> models = new ArrayList<>();
    dev.kiln.runtime.History firstHistory = null;
    for (int seed = 1; seed <= 5; seed++) {
      SmallFashionMlpModel model = new SmallFashionMlpModel(seed, 64);
      dev.kiln.runtime.History history = model.fit(data.trainImages(), trainY, ONE_EPOCH.withShuffle(seed));
      firstHistory = firstHistory == null ? history : firstHistory;
      models.add(model);
    }
    SmallFashionMlpModel first = models.get(0);
    Evaluation evaluation = first.evaluate(testX, testY, Metrics.of(PRECISION, RECALL, F1, TOP_K(3), CONFUSION));
    System.out.printf(Locale.ROOT, "Test accuracy %.4f, top-3 accuracy %.4f, macro precision %.4f, recall %.4f,"
        + " F1 %.4f%n", evaluation.accuracy(), evaluation.metric("top_3_accuracy"), evaluation.metric("precision"),
        evaluation.metric("recall"), evaluation.metric("f1"));
    System.out.printf(Locale.ROOT, "%-12s %9s %9s %9s%n", "class", "precision", "recall", "f1");
    for (int c = 0; c < FashionMnist.CLASS_COUNT; c++) {
      System.out.printf(Locale.ROOT, "%-12s %9.4f %9.4f %9.4f%n", FashionMnist.CLASS_NAMES.get(c),
          evaluation.metric("precision[" + c + "]"), evaluation.metric("recall[" + c + "]"),
          evaluation.metric("f1[" + c + "]"));
    }
    System.out.println("Confusion matrix (rows true class, columns predicted):");
    System.out.print(evaluation.confusionTable());
    Path report = Path.of("evaluation-report.html");
    try {
      dev.kiln.runtime.report.TrainingReport.write(firstHistory, "Fashion-MNIST MLP 784-64-10, 1 epoch",
          evaluation.confusion(), FashionMnist.CLASS_NAMES, report);
      System.out.println("Training report with the confusion matrix: " + report.toAbsolutePath());
    } catch (IOException e) {
      System.out.println("Could not write the training report " + report + ": " + e.getMessage());
    }

    String[] terciles = brightnessTerciles(testX);
    GroupEvaluation groups = first.core().evaluateByGroup(testX, testY, terciles,
        Metrics.of(ACCURACY, PRECISION, RECALL, F1));
    System.out.println("By image brightness (mean pixel value, terciles of the test set):");
    System.out.print(groups.table("loss", "accuracy", "precision", "recall", "f1"));

    double[] single = new double[models.size()];
    for (int i = 0; i < models.size(); i++) {
      single[i] = models.get(i).evaluate(testX, testY).accuracy();
    }
    double mean = Arrays.stream(single).average().orElseThrow();
    double ensemble = Ensemble.of(models).evaluate(testX, testY, Metrics.of(ACCURACY)).values().get("accuracy");
    System.out.printf(Locale.ROOT, "5 seeds, 1 epoch each: test accuracies %s; mean %.4f, ensemble (mean of"
        + " probabilities) %.4f: %+.4f%n", format(single), mean, ensemble, ensemble - mean);

    System.out.println("--- Iris: stratified 5-fold cross-validation, 200 epochs per fold ---");
    IrisData iris = IrisData.load(0.2, 42);
    long[] seed = {100};
    CrossValidation.Result cv = CrossValidation.stratified(5, 42, () -> new IrisModel(seed[0]++),
        iris.trainX, iris.trainY, FitOptions.epochs(200).withBatchSize(16).withShuffle(1).withVerbose(false),
        Metrics.of(ACCURACY, F1));
    System.out.print(cv.table("loss", "accuracy", "f1"));
    return new Result(mean, ensemble, evaluation, groups, cv);
  }

  /** "1 dim", "2 medium" or "3 bright" per image: terciles of the mean pixel value. */
  static String[] brightnessTerciles(float[][] images) {
    double[] brightness = new double[images.length];
    for (int i = 0; i < images.length; i++) {
      double sum = 0;
      for (float v : images[i]) {
        sum += v;
      }
      brightness[i] = sum / images[i].length;
    }
    double[] sorted = brightness.clone();
    Arrays.sort(sorted);
    double low = sorted[sorted.length / 3];
    double high = sorted[2 * sorted.length / 3];
    String[] out = new String[images.length];
    for (int i = 0; i < images.length; i++) {
      out[i] = brightness[i] < low ? "1 dim" : brightness[i] < high ? "2 medium" : "3 bright";
    }
    return out;
  }

  private static float[][] indices(int[] labels) {
    float[][] out = new float[labels.length][1];
    for (int i = 0; i < labels.length; i++) {
      out[i][0] = labels[i];
    }
    return out;
  }

  private static String format(double[] values) {
    StringBuilder out = new StringBuilder();
    for (double v : values) {
      out.append(out.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.4f", v));
    }
    return out.toString();
  }
}
