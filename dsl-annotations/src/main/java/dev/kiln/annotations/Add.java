package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Element-wise sum of two or more inputs of the same shape (Keras's {@code Add}): the residual
 * connection {@code y = F(x) + x}. The method's parameters name the layers it adds.
 *
 * <pre>{@code
 * @Dense(units = 64, activation = RELU) Layer block();
 * @Add Layer skip(Layer input, Layer block);
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Add {}
