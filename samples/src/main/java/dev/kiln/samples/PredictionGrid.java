package dev.kiln.samples;

import dev.kiln.runtime.data.FashionMnist;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * A PNG of classified Fashion-MNIST images: one tile per image, drawn {@value #SCALE}x, framed green
 * when the prediction is right and red when it is wrong, captioned with the predicted class and,
 * when wrong, the true one in parentheses ("Shirt (T-shirt/top)"). Plain {@link BufferedImage} and
 * {@link Graphics2D}, which need no display.
 */
final class PredictionGrid {
  static final int SCALE = 3;
  static final int IMAGE_SIDE = FashionMnist.IMAGE_ROWS * SCALE;
  static final int BORDER = 3;
  /** Wider than the image so that two-word captions fit on one line more often. */
  static final int TILE_WIDTH = 112;
  static final int CAPTION_HEIGHT = 30;
  static final int IMAGE_TOP = BORDER + 4;
  static final int IMAGE_LEFT = (TILE_WIDTH - IMAGE_SIDE) / 2;
  static final int TILE_HEIGHT = IMAGE_TOP + IMAGE_SIDE + CAPTION_HEIGHT + BORDER;
  static final int GAP = 6;
  static final Color RIGHT = new Color(0x2c, 0xa0, 0x2c);
  static final Color WRONG = new Color(0xd6, 0x27, 0x28);
  static final Color BACKGROUND = Color.WHITE;

  private PredictionGrid() {}

  /** Width of a grid of {@code columns} tiles. */
  static int width(int columns) {
    return columns * TILE_WIDTH + (columns + 1) * GAP;
  }

  /** Height of a grid of {@code tiles} tiles in rows of {@code columns}. */
  static int height(int tiles, int columns) {
    int rows = (tiles + columns - 1) / columns;
    return rows * TILE_HEIGHT + (rows + 1) * GAP;
  }

  /** The x of tile {@code k}'s left edge (its border's outer column). */
  static int tileLeft(int k, int columns) {
    return GAP + (k % columns) * (TILE_WIDTH + GAP);
  }

  /** The y of tile {@code k}'s top edge (its border's outer row). */
  static int tileTop(int k, int columns) {
    return GAP + (k / columns) * (TILE_HEIGHT + GAP);
  }

  /** The caption of a tile: the predicted class, then the true one in parentheses when they differ. */
  static String caption(int predicted, int actual, List<String> classNames) {
    String guess = classNames.get(predicted);
    return predicted == actual ? guess : guess + " (" + classNames.get(actual) + ")";
  }

  /**
   * Draws {@code images} (rows of 784 values in [0, 1], white on black as Fashion-MNIST stores
   * them) in rows of {@code columns} tiles.
   */
  static BufferedImage draw(float[][] images, int[] predicted, int[] actual, List<String> classNames, int columns) {
    if (images.length == 0 || predicted.length != images.length || actual.length != images.length) {
      throw new IllegalArgumentException(images.length + " images, " + predicted.length + " predictions and "
          + actual.length + " labels; the grid needs the same number (at least one) of each");
    }
    if (columns < 1) {
      throw new IllegalArgumentException("the grid needs at least one column, got " + columns);
    }
    BufferedImage png = new BufferedImage(width(columns), height(images.length, columns), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = png.createGraphics();
    try {
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, png.getWidth(), png.getHeight());
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      for (int k = 0; k < images.length; k++) {
        drawTile(png, g, k, columns, images[k], predicted[k], actual[k], classNames);
      }
    } finally {
      g.dispose();
    }
    return png;
  }

  /** {@link #draw} into {@code file} as PNG. */
  static void write(float[][] images, int[] predicted, int[] actual, List<String> classNames, int columns, Path file)
      throws IOException {
    BufferedImage png = draw(images, predicted, actual, classNames, columns);
    if (!ImageIO.write(png, "png", file.toFile())) {
      throw new IOException("no PNG writer for " + file);
    }
  }

  private static void drawTile(BufferedImage png, Graphics2D g, int k, int columns, float[] image, int predicted,
      int actual, List<String> classNames) {
    int left = tileLeft(k, columns);
    int top = tileTop(k, columns);
    Color color = predicted == actual ? RIGHT : WRONG;
    g.setColor(color);
    g.fillRect(left, top, TILE_WIDTH, TILE_HEIGHT);
    g.setColor(BACKGROUND);
    g.fillRect(left + BORDER, top + BORDER, TILE_WIDTH - 2 * BORDER, TILE_HEIGHT - 2 * BORDER);
    for (int y = 0; y < IMAGE_SIDE; y++) {
      for (int x = 0; x < IMAGE_SIDE; x++) {
        float v = image[(y / SCALE) * FashionMnist.IMAGE_COLUMNS + x / SCALE];
        int gray = Math.round(Math.max(0f, Math.min(1f, v)) * 255);
        png.setRGB(left + IMAGE_LEFT + x, top + IMAGE_TOP + y, gray << 16 | gray << 8 | gray);
      }
    }
    g.setColor(color);
    FontMetrics metrics = g.getFontMetrics();
    String caption = caption(predicted, actual, classNames);
    int room = TILE_WIDTH - 2 * BORDER - 4;
    int baseline = top + IMAGE_TOP + IMAGE_SIDE + metrics.getAscent() + 1;
    int cut = caption.indexOf(" (");
    if (metrics.stringWidth(caption) <= room || cut < 0) {
      drawCentred(g, metrics, caption, left, baseline);
    } else {
      // Too wide for one line: the prediction above, the true class in parentheses below.
      drawCentred(g, metrics, caption.substring(0, cut), left, baseline);
      drawCentred(g, metrics, caption.substring(cut + 1), left, baseline + metrics.getHeight());
    }
  }

  private static void drawCentred(Graphics2D g, FontMetrics metrics, String text, int tileLeft, int baseline) {
    g.drawString(text, tileLeft + (TILE_WIDTH - metrics.stringWidth(text)) / 2, baseline);
  }

  /**
   * Which of the classified images to show: {@code count} indices in a seeded random order, of
   * which {@code mistakes} (or as many as there are) are wrongly classified, so the grid shows what
   * the network confuses as well as what it gets right.
   */
  static int[] pick(int[] predicted, int[] actual, int count, int mistakes, long seed) {
    int n = predicted.length;
    int wrongTotal = 0;
    for (int i = 0; i < n; i++) {
      wrongTotal += predicted[i] != actual[i] ? 1 : 0;
    }
    int wrongWanted = Math.min(Math.min(mistakes, wrongTotal), count);
    int rightWanted = Math.min(count - wrongWanted, n - wrongTotal);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int[] picked = new int[wrongWanted + rightWanted];
    int taken = 0;
    for (int i = 0; i < n && taken < picked.length; i++) {
      boolean wrong = predicted[order[i]] != actual[order[i]];
      if (wrong && wrongWanted > 0) {
        wrongWanted--;
        picked[taken++] = order[i];
      } else if (!wrong && rightWanted > 0) {
        rightWanted--;
        picked[taken++] = order[i];
      }
    }
    return picked;
  }
}
