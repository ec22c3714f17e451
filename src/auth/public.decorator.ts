import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'codelab:isPublic';

/** Marks a route that needs no credential and is not rate limited (health). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
