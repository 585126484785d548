import { ApiExcludeController } from '@nestjs/swagger';
import { API_EXCLUDE_CONTROLLER_METADATA, ExcludeFromApiDocs } from '../../src/common/exclude-from-api-docs.decorator';

describe('ExcludeFromApiDocs', () => {
  it("sets the metadata of @nestjs/swagger's @ApiExcludeController() without loading it", () => {
    @ApiExcludeController()
    class BySwagger {}
    @ExcludeFromApiDocs()
    class Ours {}
    expect(Reflect.getMetadataKeys(BySwagger)).toEqual([API_EXCLUDE_CONTROLLER_METADATA]);
    expect(Reflect.getMetadata(API_EXCLUDE_CONTROLLER_METADATA, Ours)).toEqual(Reflect.getMetadata(API_EXCLUDE_CONTROLLER_METADATA, BySwagger));
  });
});
