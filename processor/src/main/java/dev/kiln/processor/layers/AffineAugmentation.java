package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.FillMode;
import dev.kiln.annotations.Interpolation;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.emit.Buffer;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.emit.RuntimeNames;
import dev.kiln.processor.model.FloatRule;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.Arrays;
import java.util.List;

/**
 * What {@code @RandomTranslation} and {@code @RandomZoom} share: Keras's factor ranges, the fill
 * value's rule, and the emitter (draw the per-sample transforms, then resample; backward, the
 * resampling's transpose). Kernels: {@code runtime/.../kernels/Augmentation}.
 */
final class AffineAugmentation {
  private AffineAugmentation() {}

  /**
   * Keras's {@code _set_factor}: one value f is the range [-|f|, |f|], two values are sorted into
   * [lower, upper]; null for anything else (reported by {@link #checkFactor}).
   */
  static double[] range(double[] factor) {
    if (factor.length == 1) {
      return new double[] {-Math.abs(factor[0]), Math.abs(factor[0])};
    }
    if (factor.length == 2) {
      return new double[] {Math.min(factor[0], factor[1]), Math.max(factor[0], factor[1])};
    }
    return null;
  }

  /** Reports a factor that is not one or two values in [-1, 1] (Keras's rule; NaN fails it too). */
  static void checkFactor(Diagnostics diagnostics, Site site, String annotation, String layer, String attribute,
      double[] factor, String axis) {
    boolean fits = factor.length == 1 || factor.length == 2;
    for (double v : factor) {
      fits &= v >= -1 && v <= 1;
    }
    if (!fits) {
      diagnostics.error(site, attribute, Message.AUGMENT_FACTOR, annotation, layer, attribute, axis,
          Arrays.toString(factor), attribute);
    }
  }

  static void checkFillValue(Diagnostics diagnostics, Site site, String annotation, String layer, double fillValue) {
    FloatRule.FINITE.check(diagnostics, site, "fillValue", "@" + annotation + " fillValue", fillValue,
        Message.AUGMENT_FILL_VALUE, annotation, layer, fillValue);
  }

  /** The emitter: {@code draw} writes the transforms into the buffer it is given. */
  interface Draw {
    CodeBlock code(LayerContext layer, Shape image, String transforms);
  }

  static LayerEmitter emitter(String storageRole, FillMode fill, Interpolation interpolation, double fillValue,
      Draw draw) {
    boolean bilinear = interpolation == Interpolation.BILINEAR;
    return new TrainingNoiseEmitter() {
      @Override
      String storageRole() {
        return storageRole;
      }

      private String transforms(LayerContext layer) {
        return layer.member("Transforms");
      }

      @Override
      List<Buffer> extraBuffers(LayerContext layer) {
        // Augmentation.AFFINE_VALUES per sample: the drawn transform the backward pass replays.
        return List.of(Buffer.gradient(transforms(layer), "4"));
      }

      @Override
      CodeBlock trainingForward(LayerContext layer, String storage) {
        Shape image = layer.inShape(0);
        return CodeBlock.builder()
            .add(draw.code(layer, image, transforms(layer)))
            .add("$T.resample(n, $L, $L, $L, $L, $T.$L, $Lf, $L, $L, $L);\n", RuntimeNames.AUGMENTATION, image.dim(0),
                image.dim(1), image.dim(2), transforms(layer), RuntimeNames.AUGMENTATION_FILL, fill.name(),
                (float) fillValue, bilinear, layer.in(0), storage)
            .build();
      }

      @Override
      CodeBlock backward(LayerContext layer, String target) {
        Shape image = layer.inShape(0);
        return CodeBlock.of("$T.resampleBackward(n, $L, $L, $L, $L, $T.$L, $L, $L, $L);\n", RuntimeNames.AUGMENTATION,
            image.dim(0), image.dim(1), image.dim(2), transforms(layer), RuntimeNames.AUGMENTATION_FILL, fill.name(),
            bilinear, layer.grad(), target);
      }
    };
  }
}
