package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.data.FashionMnist;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code cnn} sample's pieces: its options, the prediction grid it draws (pixel-checked), the
 * images it picks for the grid, the named confusion table, and one short run on a small synthetic
 * data set written by the test (not Fashion-MNIST, so it trains in seconds).
 */
class CnnSampleTest {
  private static final List<String> NAMES = FashionMnist.CLASS_NAMES;

  @Test
  void optionsDefaultToThreeEpochsInTheWorkingDirectory() {
    CnnExample.Options defaults = CnnExample.Options.parse(new String[0]);
    assertEquals(3, defaults.epochs());
    assertEquals(Path.of("."), defaults.out());
    CnnExample.Options given = CnnExample.Options.parse(new String[] {"--out", "runs/cnn", "--epochs", "5"});
    assertEquals(5, given.epochs());
    assertEquals(Path.of("runs/cnn"), given.out());
  }

  @Test
  void zeroNegativeOrNonNumericEpochsAreRefusedWithTheReason() {
    assertEquals("cnn --epochs must be at least 1, got 0", refusal("--epochs", "0"));
    assertEquals("cnn --epochs must be at least 1, got -2", refusal("--epochs", "-2"));
    assertEquals("cnn --epochs needs a whole number, got \"three\"", refusal("--epochs", "three"));
    assertEquals("cnn --epochs needs a value", refusal("--epochs"));
    assertEquals("cnn does not take \"--samples\"", refusal("--samples", "10"));
  }

  private static String refusal(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> CnnExample.Options.parse(args)).getMessage();
  }

  /** The command line says why and exits 2 before it looks for data or trains anything. */
  @Test
  void theCommandExitsWithUsageStatusOnZeroEpochs(@TempDir Path empty) throws Exception {
    String[] output = new String[2];
    int status = SamplesTest.runCapturing(output, "--data", empty.toString(), "cnn", "--epochs", "0");
    assertEquals(2, status, output[0] + output[1]);
    assertTrue(output[1].startsWith("cnn --epochs must be at least 1, got 0; usage: kiln-samples.jar"), output[1]);
    assertTrue(output[1].contains("cnn [--epochs N] [--out DIR]"), output[1]);
    assertEquals("", output[0]);
  }

  @Test
  void withoutDataTheCommandExitsThreeAndSaysWhatToInstall(@TempDir Path empty) throws Exception {
    String[] output = new String[2];
    int status = SamplesTest.runCapturing(output, "--data", empty.toString(), "cnn");
    assertEquals(Main.EXIT_NO_DATA, status, output[0] + output[1]);
    assertTrue(output[1].contains("Fashion-MNIST not found in " + empty + " (given with --data)."), output[1]);
    assertTrue(output[1].contains("install it with `sudo apt-get install dataset-fashion-mnist`"), output[1]);
  }

  @Test
  void captionsNameThePredictionAndTheTruthWhenWrong() {
    assertEquals("Shirt (T-shirt/top)", PredictionGrid.caption(6, 0, NAMES));
    assertEquals("Ankle boot", PredictionGrid.caption(9, 9, NAMES));
  }

  /**
   * Three images in rows of two: all black (right), all white (wrong: Shirt for T-shirt/top) and
   * a left-to-right ramp (right). The PNG is 2 x 3 tiles' size, the wrong tile framed red, the
   * others green, each image drawn 3x at its place.
   */
  @Test
  void gridFramesWrongPredictionsRedAndDrawsEachImageThreeTimesLarger(@TempDir Path dir) throws Exception {
    float[] black = new float[784];
    float[] white = new float[784];
    Arrays.fill(white, 1f);
    float[] ramp = new float[784];
    for (int p = 0; p < 784; p++) {
      ramp[p] = (p % 28) / 27f;
    }
    Path file = dir.resolve("grid.png");
    PredictionGrid.write(new float[][] {black, white, ramp}, new int[] {1, 6, 9}, new int[] {1, 0, 9}, NAMES, 2, file);

    BufferedImage png = ImageIO.read(file.toFile());
    assertEquals(2 * 112 + 3 * 6, png.getWidth());
    assertEquals(2 * 124 + 3 * 6, png.getHeight());
    assertEquals(PredictionGrid.width(2), png.getWidth());
    assertEquals(PredictionGrid.height(3, 2), png.getHeight());

    int red = 0xd62728;
    int green = 0x2ca02c;
    // Tile 1 (second in the first row) is the wrong one: red on all four sides of its frame.
    int left = 6 + 112 + 6;
    int top = 6;
    assertEquals(left, PredictionGrid.tileLeft(1, 2));
    assertEquals(red, rgb(png, left, top));
    assertEquals(red, rgb(png, left + 2, top + 60));
    assertEquals(red, rgb(png, left + 111, top + 123));
    assertEquals(red, rgb(png, left + 56, top + 122));
    assertEquals(0xffffff, rgb(png, left + 3, top + 3), "inside the frame");
    // Tiles 0 and 2 are right: green frames. Tile 2 starts the second row.
    assertEquals(green, rgb(png, 6, 6));
    assertEquals(green, rgb(png, 6 + 1, 6 + 124 + 6 + 1));
    assertEquals(6 + 124 + 6, PredictionGrid.tileTop(2, 2));
    // The gaps between tiles are background.
    assertEquals(0xffffff, rgb(png, 6 + 112 + 3, 6 + 50));
    assertEquals(0xffffff, rgb(png, 0, 0));

    // Images: at (14, 7) inside each tile, 84 x 84.
    assertEquals(0x000000, rgb(png, 6 + 14, 6 + 7));
    assertEquals(0x000000, rgb(png, 6 + 14 + 83, 6 + 7 + 83));
    assertEquals(0xffffff, rgb(png, left + 14 + 40, top + 7 + 40));
    assertEquals(0xffffff, rgb(png, 6 + 14 - 1, 6 + 7), "left of the image is the tile's background");
    int rampLeft = 6 + 14;
    int rampTop = 6 + 124 + 6 + 7;
    assertEquals(gray(0), rgb(png, rampLeft, rampTop));
    // Source column 9 covers drawn columns 27-29: 9/27 of full brightness, rounded.
    assertEquals(gray(85), rgb(png, rampLeft + 27, rampTop + 50));
    assertEquals(gray(85), rgb(png, rampLeft + 29, rampTop + 50));
    assertEquals(gray(94), rgb(png, rampLeft + 30, rampTop + 50));
    assertEquals(gray(255), rgb(png, rampLeft + 83, rampTop + 83));

    // The caption below the wrong image is drawn in red: the area holds reddish text pixels.
    int captionTop = top + 7 + 84;
    assertTrue(countReddish(png, left + 3, captionTop, 112 - 6, 30) > 20, "red caption pixels");
    assertEquals(0, countReddish(png, 6 + 3, 6 + 7 + 84, 112 - 6, 30), "the right tile's caption is green");
  }

  @Test
  void gridRefusesMismatchedInputs() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PredictionGrid.draw(new float[2][784], new int[] {1}, new int[] {1, 2}, NAMES, 2));
    assertEquals("2 images, 1 predictions and 2 labels; the grid needs the same number (at least one) of each",
        e.getMessage());
  }

  /** 100 images, every tenth misclassified: 24 distinct picks, 6 of them mistakes, the same for the same seed. */
  @Test
  void pickShowsTheAskedNumberOfMistakesInASeededOrder() {
    int[] actual = new int[100];
    int[] predicted = new int[100];
    for (int i = 0; i < 100; i++) {
      actual[i] = i % 10;
      predicted[i] = i % 10 == 3 ? 5 : i % 10;
    }
    int[] picked = PredictionGrid.pick(predicted, actual, 24, 6, 9);
    assertEquals(24, picked.length);
    Set<Integer> distinct = new HashSet<>();
    int wrong = 0;
    for (int i : picked) {
      distinct.add(i);
      wrong += predicted[i] != actual[i] ? 1 : 0;
    }
    assertEquals(24, distinct.size());
    assertEquals(6, wrong);
    assertArrayEquals(picked, PredictionGrid.pick(predicted, actual, 24, 6, 9));
    assertNotEquals(Arrays.toString(picked), Arrays.toString(PredictionGrid.pick(predicted, actual, 24, 6, 10)));
    // Fewer mistakes than asked for: all of them, the rest right.
    int[] fewWrong = new int[100];
    System.arraycopy(actual, 0, fewWrong, 0, 100);
    fewWrong[40] = 1;
    fewWrong[41] = 0;
    int[] two = PredictionGrid.pick(fewWrong, actual, 24, 6, 9);
    assertEquals(24, two.length);
    assertEquals(2, Arrays.stream(two).filter(i -> i == 40 || i == 41).count());
  }

  @Test
  void confusionTableNamesTheRows() {
    int[][] confusion = {{50, 2, 0}, {7, 41, 1}, {0, 0, 1234}};
    String table = CnnExample.namedConfusionTable(confusion, List.of("Coat", "Shirt", "Ankle boot"));
    assertEquals(""
        + "                 0    1    2\n"
        + "0 Coat          50    2    0\n"
        + "1 Shirt          7   41    1\n"
        + "2 Ankle boot     0    0 1234\n", table);
  }

  /**
   * Two epochs on 640 synthetic training images (the class is which rows are bright): it prints the
   * accuracy and the named confusion matrix and writes the report and a 24-image grid.
   */
  @Test
  void aShortRunOnSmallDataWritesTheReportAndTheGrid(@TempDir Path data, @TempDir Path out) throws Exception {
    SamplesTest.writeIdx(data, "train", 640, 1);
    SamplesTest.writeIdx(data, "t10k", 200, 2);
    String[] output = new String[2];
    int status = SamplesTest.runCapturing(output, "--data", data.toString(), "cnn", "--epochs", "2", "--out",
        out.toString());
    assertEquals(0, status, output[0] + output[1]);
    String stdout = output[0];
    assertTrue(stdout.contains("--- Fashion-MNIST CNN (W5): 640 training and 200 test images, 2 epochs ---"), stdout);
    assertTrue(stdout.contains("conv1"), "the model summary: " + stdout);
    Matcher accuracy = Pattern.compile("Fashion-MNIST CNN after 2 epochs: test loss [0-9.]+, test accuracy ([0-9.]+)")
        .matcher(stdout);
    assertTrue(accuracy.find(), stdout);
    assertTrue(Double.parseDouble(accuracy.group(1)) >= 0.9, stdout);
    assertTrue(stdout.contains("Confusion matrix (rows true class, columns predicted):"), stdout);
    assertTrue(Pattern.compile("(?m)^9 Ankle boot +[0-9 ]+$").matcher(stdout).find(), stdout);

    Path report = out.resolve("cnn-report.html");
    Path grid = out.resolve("cnn-predictions.png");
    assertTrue(stdout.contains("Training report with the confusion matrix: " + report.toAbsolutePath()), stdout);
    assertTrue(stdout.contains(grid.toAbsolutePath().toString()), stdout);
    String html = Files.readString(report);
    assertTrue(html.contains("<h2>Confusion matrix</h2>") && html.contains("<th>Ankle boot</th>"), html);
    BufferedImage png = ImageIO.read(grid.toFile());
    assertEquals(6 * 112 + 7 * 6, png.getWidth());
    assertEquals(4 * 124 + 5 * 6, png.getHeight());
  }

  private static int rgb(BufferedImage png, int x, int y) {
    return png.getRGB(x, y) & 0xffffff;
  }

  private static int gray(int v) {
    return v << 16 | v << 8 | v;
  }

  private static int countReddish(BufferedImage png, int left, int top, int width, int height) {
    int count = 0;
    for (int y = top; y < top + height; y++) {
      for (int x = left; x < left + width; x++) {
        int rgb = rgb(png, x, y);
        int r = rgb >> 16 & 0xff;
        int g = rgb >> 8 & 0xff;
        int b = rgb & 0xff;
        count += r > g + 40 && r > b + 40 ? 1 : 0;
      }
    }
    return count;
  }
}
