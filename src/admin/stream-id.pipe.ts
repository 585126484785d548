import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { STREAM_ID_PATTERN } from '../signaling/protocol/frame-validator';

/** A `:streamId` path parameter must be a streamId the gateway would accept. */
@Injectable()
export class StreamIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (value.length > 255 || !STREAM_ID_PATTERN.test(value)) {
      throw new BadRequestException('streamId must match ^[A-Za-z0-9_.-]+$ (at most 255 characters)');
    }
    return value;
  }
}
