package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.FlipMode;
import dev.kiln.annotations.RandomFlip;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.emit.Buffer;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.emit.RuntimeNames;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.List;

/**
 * {@code @RandomFlip}: flips each image left-right and/or upside down with probability 1/2 in
 * training (Keras's RandomFlip), draws per sample from the model's augmentation seed and the
 * sample's position in the training stream; identity at inference. Kernel: {@code
 * runtime/.../kernels/Augmentation}.
 */
public record RandomFlipLayer(String name, Site site, List<String> inputs, FlipMode mode) implements LayerSpec {
  public RandomFlipLayer {
    inputs = List.copyOf(inputs);
  }

  static RandomFlipLayer read(LayerDeclaration d) {
    return new RandomFlipLayer(d.name(), d.site(), d.inputs(), d.annotation(RandomFlip.class).mode());
  }

  @Override
  public String typeName() {
    return "RandomFlip";
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    return Windows.image(site, "RandomFlip", name, in, diagnostics);
  }

  @Override
  public LayerEmitter emitter() {
    return new TrainingNoiseEmitter() {
      @Override
      String storageRole() {
        return "Flipped";
      }

      @Override
      List<Buffer> extraBuffers(LayerContext layer) {
        // Augmentation.FLIP_VALUES per sample: the two decisions the backward pass replays.
        return List.of(Buffer.gradient(layer.member("Flips"), "2"));
      }

      @Override
      CodeBlock trainingForward(LayerContext layer, String storage) {
        Shape image = layer.inShape(0);
        return CodeBlock.of("$T.flip(n, $L, $L, $L, $L, $L, noise, $L, $L, $L, $L);\n", RuntimeNames.AUGMENTATION,
            image.dim(0), image.dim(1), image.dim(2), mode != FlipMode.VERTICAL, mode != FlipMode.HORIZONTAL,
            layer.layerIndex(), layer.in(0), storage, layer.member("Flips"));
      }

      @Override
      CodeBlock backward(LayerContext layer, String target) {
        Shape image = layer.inShape(0);
        return CodeBlock.of("$T.flipBackward(n, $L, $L, $L, $L, $L, $L);\n", RuntimeNames.AUGMENTATION, image.dim(0),
            image.dim(1), image.dim(2), layer.member("Flips"), layer.grad(), target);
      }
    };
  }

  /** Inference passes values through (or moves them): the input's zeros stay. */
  @Override
  public boolean outputHasZeros(List<Boolean> inputsHaveZeros) {
    return inputsHaveZeros.get(0);
  }
}
