package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.emit.Buffer;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import java.util.ArrayList;
import java.util.List;

/**
 * Layers active in training only ({@code @Dropout}, {@code @GaussianNoise}). Their output is a
 * view: in training it points at their own buffer, at inference at their input, so inference pays
 * no copy for them.
 */
abstract class TrainingNoiseEmitter implements LayerEmitter {
  /** The role of the buffer the training output is written to ({@code Kept}, {@code Noisy}). */
  abstract String storageRole();

  /** The kernel call that writes the training output into {@code storage}. */
  abstract CodeBlock trainingForward(LayerContext layer, String storage);

  /** The kernel call that writes the input gradient into {@code target}. */
  abstract CodeBlock backward(LayerContext layer, String target);

  /** Further buffers (a dropout mask). */
  List<Buffer> extraBuffers(LayerContext layer) {
    return List.of();
  }

  @Override
  public final List<Buffer> buffers(LayerContext layer) {
    String storage = layer.member(storageRole());
    List<Buffer> buffers = new ArrayList<>();
    buffers.add(Buffer.gradient(storage, layer.width())); // written in training only
    buffers.add(Buffer.view(layer.out(), storage));
    buffers.addAll(extraBuffers(layer));
    buffers.add(Buffer.gradient(layer.grad(), layer.width()));
    return buffers;
  }

  @Override
  public final CodeBlock forward(LayerContext layer) {
    String storage = layer.member(storageRole());
    return CodeBlock.builder()
        .beginControlFlow("if (training)")
        .add(trainingForward(layer, storage))
        .addStatement("$L = $L", layer.out(), storage)
        .nextControlFlow("else")
        .add("// Identity at inference: the next layer reads this layer's input directly.\n")
        .addStatement("$L = $L", layer.out(), layer.in(0))
        .endControlFlow()
        .build();
  }

  @Override
  public final CodeBlock backward(LayerContext layer) {
    return layer.inputGradient(0, target -> backward(layer, target));
  }
}
