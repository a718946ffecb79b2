package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Flattens a sample to one axis (Keras's {@code Flatten}), without copying: Kiln's data is
 * row-major channels-last, so the flat order is {@code (h * W + w) * C + c}. A Dense layer reading
 * it saves its weight in PyTorch's channels-first column order ({@code c * H * W + h * W + w}),
 * so a PyTorch CNN with {@code nn.Flatten} loads unchanged.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Flatten {}
